using System.Globalization;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>
/// How <c>--minutes M</c> is shared between the stages so the whole job ends in time: sampling costs are known before
/// training (the network's speed does not depend on its weights, so one guided denoiser call is timed at start), the
/// post-hoc sweep gets about a tenth of the time (at least <see cref="MinSweepSamples"/> images per cell), evaluation
/// and post-hoc reconstruction a fixed allowance, a safety margin stays free, and training (the guide network first,
/// its <see cref="JobOptions.GuideShare"/>) gets the rest. Training stops on its deadline; the later stages take the
/// time planned for them.
/// </summary>
/// <param name="GuideTrainingSeconds">Time to train the autoguidance guide (0 with CFG).</param>
/// <param name="TrainingSeconds">Time to train the main network.</param>
/// <param name="SweepSamples">Images per cell of the post-hoc sweep (0: a single cell, no sweep).</param>
/// <param name="SweepSeconds">The planned time of the sweep.</param>
/// <param name="FinalSamplingSeconds">The planned time of the grid and evaluation samples.</param>
/// <param name="OverheadSeconds">Evaluation, post-hoc reconstructions, start-up and margin.</param>
internal sealed record JobPlan(double GuideTrainingSeconds, double TrainingSeconds, int SweepSamples, double SweepSeconds, double FinalSamplingSeconds, double OverheadSeconds)
{
    /// <summary>The fewest images per sweep cell: FD of fewer is too noisy to rank EMA lengths.</summary>
    public const int MinSweepSamples = 100;

    /// <summary>The most images per sweep cell the planner gives when time allows.</summary>
    public const int MaxSweepSamples = 400;

    /// <summary>Sweep images per cell without a time budget (and no <c>--sweep-samples</c>).</summary>
    public const int DefaultSweepSamples = 100;

    /// <summary>The shortest training worth running.</summary>
    public const double MinTrainingSeconds = 60;

    /// <summary>The sweep's share of the whole time when its sample count is planned.</summary>
    public const double SweepShare = 0.10;

    /// <summary>What one planning needs to know.</summary>
    /// <param name="TotalSeconds">The whole job's time (<c>--minutes</c> · 60).</param>
    /// <param name="ElapsedSeconds">Time already spent when planning (start-up, the speed probe).</param>
    /// <param name="SecondsPerImageCall">Measured time of one guided denoiser call per image at the sampling batch.</param>
    /// <param name="FunctionEvaluations">Guided denoiser calls per image of the chosen sampler and steps.</param>
    /// <param name="FinalImages">Grid and evaluation images.</param>
    /// <param name="SigmaRels">EMA lengths in the sweep.</param>
    /// <param name="Guidances">Guidance scales in the sweep.</param>
    /// <param name="SweepSamples">Fixed images per sweep cell, or null to plan them.</param>
    /// <param name="GuideShare">The guide's share of training (0 without autoguidance).</param>
    public sealed record Inputs(double TotalSeconds, double ElapsedSeconds, double SecondsPerImageCall, int FunctionEvaluations, int FinalImages,
        int SigmaRels, int Guidances, int? SweepSamples, double GuideShare);

    /// <summary>Plans the stages.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The time cannot fit the sampling, sweep and evaluation plus a minute of training; the message gives the minutes needed.</exception>
    public static JobPlan Create(Inputs i)
    {
        ArgumentNullException.ThrowIfNull(i);
        if (!(i.SecondsPerImageCall > 0) || i.FunctionEvaluations < 1 || i.FinalImages < 1 || i.SigmaRels < 1 || i.Guidances < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(i), i, "The sampling cost, NFE, image count and grid sizes must be positive.");
        }

        double perImage = i.SecondsPerImageCall * i.FunctionEvaluations;
        int cells = i.SigmaRels * i.Guidances;
        double final = i.FinalImages * perImage;
        int sweep = cells == 1 ? 0
            : i.SweepSamples ?? (int)Math.Clamp(Math.Floor(SweepShare * i.TotalSeconds / (cells * perImage)), MinSweepSamples, MaxSweepSamples);
        double sweepSeconds = (double)sweep * cells * perImage;

        // Evaluation (classifier features of the samples and of as many real images), one reconstruction per EMA
        // length, the plots, and a margin for the training step and checkpoint in flight at the deadline.
        double overhead = 20 + (3 * i.SigmaRels) + (0.03 * i.TotalSeconds);
        double training = i.TotalSeconds - i.ElapsedSeconds - final - sweepSeconds - overhead;
        if (training < MinTrainingSeconds)
        {
            double needed = (i.ElapsedSeconds + final + sweepSeconds + 20 + (3 * i.SigmaRels) + MinTrainingSeconds) / 0.97 / 60;
            throw new ArgumentOutOfRangeException(nameof(i), string.Create(CultureInfo.InvariantCulture,
                $"--minutes {i.TotalSeconds / 60:G4} is too short: sampling {i.FinalImages} images ({final:F0} s at {i.FunctionEvaluations} NFE), " +
                $"the post-hoc sweep ({cells} cells × {sweep} images, {sweepSeconds:F0} s) and evaluation leave {Math.Max(0, training):F0} s for training, " +
                $"less than {MinTrainingSeconds:F0} s. Give at least --minutes {Math.Ceiling(needed * 10) / 10:F1}, or fewer --eval-samples, --steps, or sweep values."));
        }

        return new JobPlan(i.GuideShare * training, (1 - i.GuideShare) * training, sweep, sweepSeconds, final, overhead);
    }

    /// <summary>The plan in one line for the log.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"guide training {GuideTrainingSeconds:F0} s, training {TrainingSeconds:F0} s, sweep {SweepSeconds:F0} s ({SweepSamples} images per cell), " +
        $"sampling {FinalSamplingSeconds:F0} s, evaluation and margin {OverheadSeconds:F0} s");
}
