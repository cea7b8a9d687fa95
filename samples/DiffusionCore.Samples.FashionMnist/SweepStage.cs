using System.Diagnostics;
using DiffusionCore.Evaluation;
using DiffusionCore.Samples.FashionMnist.Plotting;
using DiffusionCore.Training.Ema;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>
/// The post-hoc sweep (Karras et al. 2024, §3 and Fig. 5): every EMA length of <see cref="JobOptions.SigmaRelGrid"/>
/// is reconstructed from the snapshots and sampled at every guidance scale of <see cref="JobOptions.GuidanceGrid"/> on
/// the same seeds and classes, each cell scored with FD-FMNIST against the cached test statistics; the cell of lowest
/// FD among those reaching <see cref="JobOptions.MinAgreement"/> is chosen (<see cref="Choose"/>), its EMA saved and
/// loaded, and FD against σ_rel per guidance scale drawn to <c>sweep.png</c>.
/// </summary>
internal static class SweepStage
{
    /// <summary>Sweep samples use seeds from here on (the grid uses 0…, the evaluation 100000…).</summary>
    public const long FirstSeed = 200_000;

    /// <summary>One scored cell.</summary>
    public sealed record Cell(double SigmaRel, double Guidance, double FdFmnist, double? ClassAgreement);

    /// <summary>
    /// The sweep's cells (empty without a sweep), the chosen values, the file of the chosen EMA, and whether the chosen
    /// cell reached <see cref="JobOptions.MinAgreement"/> (null without a sweep).
    /// </summary>
    public sealed record Result(IReadOnlyList<Cell> Cells, double SigmaRel, double Guidance, int SamplesPerCell, double Seconds, string Weights,
        Choice? Chosen);

    /// <summary>The chosen cell and whether it reached the least class agreement asked for.</summary>
    public sealed record Choice(Cell Cell, bool AgreementMet);

    /// <summary>
    /// The cell of lowest FD (the first of equals) among the cells whose class agreement is at least
    /// <paramref name="minAgreement"/> (every cell when it is 0); if none reaches it, the cell of highest agreement
    /// (ties: the lower FD, then the first), with <see cref="Choice.AgreementMet"/> false. Cells whose FD is not a
    /// number are never chosen.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minAgreement"/> is not in [0, 1].</exception>
    /// <exception cref="ArgumentException">There is no cell with a finite FD.</exception>
    public static Choice Choose(IReadOnlyList<Cell> cells, double minAgreement = 0)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (minAgreement is not (>= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(minAgreement), minAgreement, "The least class agreement must be in [0, 1] (0: choose by FD alone).");
        }

        Cell[] finite = cells.Where(c => double.IsFinite(c.FdFmnist)).ToArray();
        if (finite.Length == 0)
        {
            throw new ArgumentException($"None of the {cells.Count} sweep cells has a finite FD: the samples are broken (check the training loss).", nameof(cells));
        }

        // MinBy keeps the first of equal keys, and OrderBy is stable.
        Cell? best = finite.Where(c => minAgreement == 0 || c.ClassAgreement >= minAgreement).MinBy(c => c.FdFmnist);
        return best is not null
            ? new Choice(best, AgreementMet: true)
            : new Choice(finite.OrderByDescending(c => c.ClassAgreement ?? double.NegativeInfinity).ThenBy(c => c.FdFmnist).First(), AgreementMet: false);
    }

    /// <summary>
    /// Runs the sweep for <paramref name="model"/> (trained in <c>o.RunDirectory</c>) with <paramref name="samplesPerCell"/>
    /// images per cell, and leaves the chosen EMA loaded in it. A single cell is reconstructed without sampling.
    /// </summary>
    public static Result Run(JobOptions o, FashionMnistModel model, FashionMnistModel? guide, int samplesPerCell, int batch, FashionMnistEvaluator evaluator)
    {
        var clock = Stopwatch.StartNew();
        PostHocEmaReconstructor reconstructor = PostHocStage.Reconstructor(o.RunDirectory);
        var cells = new List<Cell>();
        bool sweep = o.SigmaRelGrid.Count * o.GuidanceGrid.Count > 1;
        if (sweep)
        {
            int[] classes = SampleStage.Cycle(samplesPerCell);
            foreach (double sigmaRel in o.SigmaRelGrid.Values)
            {
                using (PostHocEmaResult ema = reconstructor.Reconstruct(sigmaRel)) ema.LoadInto(model.Network);
                model.Network.Eval();
                foreach (double w in o.GuidanceGrid.Values)
                {
                    using SampleStage.Samples s = SampleStage.Generate(o, SampleStage.Guided(o, model.Denoiser, guide?.Denoiser, w), classes, batch, FirstSeed);
                    EvaluationResult e = EvaluateStage.Score(evaluator, s);
                    cells.Add(new Cell(sigmaRel, w, e.FrechetDistance, e.ClassAgreement));
                    Console.WriteLine($"sweep: σ_rel {sigmaRel:0.000}, guidance {w:0.00}: FD-FMNIST {e.FrechetDistance:F1}, class agreement {e.ClassAgreement:P1} ({samplesPerCell} images)");
                }
            }
        }

        Choice? choice = sweep ? Choose(cells, o.MinAgreement) : null;
        if (choice is not null) SweepFigure.Save(cells, samplesPerCell, choice.Cell, o.Guide, Path.Combine(o.Output, "sweep.png"));
        (double bestSigma, double bestW) = choice is null ? (o.SigmaRelGrid[0], o.GuidanceGrid[0]) : (choice.Cell.SigmaRel, choice.Cell.Guidance);
        string path = PostHocStage.PathFor(o.RunDirectory, bestSigma);
        using (PostHocEmaResult chosen = reconstructor.Reconstruct(bestSigma))
        {
            chosen.Save(path);
            chosen.LoadInto(model.Network);
        }

        model.Network.Eval();
        return new Result(cells, bestSigma, bestW, sweep ? samplesPerCell : 0, clock.Elapsed.TotalSeconds, path, choice);
    }
}
