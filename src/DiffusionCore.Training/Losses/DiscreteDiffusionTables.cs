using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>
/// Per-timestep constants of a discrete Gaussian diffusion (Ho et al. 2020, Eq. 4, 6–7; Nichol &amp; Dhariwal 2021,
/// Section 3.1), computed in float64 and gathered per sample as float32 <c>[B, 1, …, 1]</c>.
/// </summary>
internal sealed class DiscreteDiffusionTables
{
    public DiscreteDiffusionTables(DiscreteSchedule schedule)
    {
        int n = schedule.Timesteps;
        double[] betas = schedule.Betas.ToArray();
        double[] abar = schedule.AlphasCumprod.ToArray();
        SqrtAlphaBar = new double[n];
        SqrtOneMinusAlphaBar = new double[n];
        LogBeta = new double[n];
        PosteriorLogVarianceClipped = new double[n];
        PosteriorMeanCoefX0 = new double[n];
        PosteriorMeanCoefXt = new double[n];
        var posteriorVariance = new double[n];
        for (int t = 0; t < n; t++)
        {
            double abarPrev = t == 0 ? 1.0 : abar[t - 1];
            SqrtAlphaBar[t] = Math.Sqrt(abar[t]);
            SqrtOneMinusAlphaBar[t] = Math.Sqrt(1 - abar[t]);
            LogBeta[t] = Math.Log(betas[t]);
            posteriorVariance[t] = betas[t] * (1 - abarPrev) / (1 - abar[t]);
            PosteriorMeanCoefX0[t] = betas[t] * Math.Sqrt(abarPrev) / (1 - abar[t]);
            PosteriorMeanCoefXt[t] = (1 - abarPrev) * Math.Sqrt(1 - betas[t]) / (1 - abar[t]);
        }

        // β̃_0 = 0: the log is clipped to β̃_1 (Nichol & Dhariwal 2021, reference implementation).
        for (int t = 0; t < n; t++)
        {
            PosteriorLogVarianceClipped[t] = Math.Log(n > 1 && t == 0 ? posteriorVariance[1] : posteriorVariance[t]);
        }

        Timesteps = n;
    }

    public int Timesteps { get; }

    public double[] SqrtAlphaBar { get; }

    public double[] SqrtOneMinusAlphaBar { get; }

    public double[] LogBeta { get; }

    public double[] PosteriorLogVarianceClipped { get; }

    public double[] PosteriorMeanCoefX0 { get; }

    public double[] PosteriorMeanCoefXt { get; }

    /// <summary><c>table[t]</c> per sample as float32 <c>[B, 1, …, 1]</c> on the timesteps' device.</summary>
    public static Tensor Gather(double[] table, Tensor timesteps, int rank)
    {
        using var scope = new TensorScope();
        Tensor values = Tensor.FromArray(table).To(timesteps.Device).IndexSelect(0, timesteps.To(DType.Int64).Reshape(-1));
        return LossReduction.PerSample(values.To(DType.Float32), rank).MoveToOuterScope();
    }

    /// <summary>Splits a network output into ε̂ and (when it has 2C channels) the variance interpolation v.</summary>
    public static (Tensor Epsilon, Tensor? Variance) Split(Tensor output, long channels)
    {
        long c = output.Size(1);
        if (c == channels) return (output, null);
        if (c == 2 * channels) return (output.Narrow(1, 0, channels), output.Narrow(1, channels, channels));
        throw new InvalidOperationException(
            $"The network returned {c} channels for {channels}-channel images; an ε-model returns C channels, or 2C with learned variance.");
    }
}
