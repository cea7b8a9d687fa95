using System.Globalization;
using System.Text.Json;
using DiffusionCore.Data;
using DiffusionCore.Data.Imaging;
using DiffusionCore.Evaluation;
using DiffusionCore.Guidance;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Sampling;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.ControlStudy;

/// <summary>One scored (arm, budget) of study 2: what the evaluation command appends to the results file.</summary>
internal sealed record TransferScore(
    string Arm, double NominalBudget, string Run, double BudgetCpuSeconds, double SourceCpuSeconds, long SourceImages,
    double TrainCpuSeconds, long Images, double Shift, string Resampling, int Samples, int Steps, double Guidance,
    double FrechetDistance, double ClassAgreement, double SampleCpuSeconds, string LoadAverage);

/// <summary>
/// Study 2's score at 32²: <c>samples</c> images, image k of class k mod 10 from noise seed 1,000,000 + k,
/// DPM-Solver++(2M) on the Karras σ grid (σ 0.002–80, ρ 7) shifted by the run's s (σ' = s·σ, <see cref="ResolutionShift.ShiftSigmas"/>),
/// classifier-free guidance w; FD-FMNIST against the 10k test images and class agreement by the project's classifier.
/// </summary>
internal static class TransferEvaluation
{
    public static void Run(string arm, double nominalBudget, string run, int samples, int steps, double guidance, string results, string? grid)
    {
        Torch.Torch.NumThreads = 1;
        using TransferModel model = TransferModel.Load(run, TransferModel.HighResolution);
        double shift = TransferLedger.Shift(run);
        IDenoiser denoiser = guidance == 1 ? model.Denoiser
            : new ClassifierFreeGuidance(model.Denoiser, guidance, Unconditional.For(model.Network.ClassLabelSpec!));
        double[] sigmas = ResolutionShift.ShiftSigmas(SigmaSchedules.Karras(steps), shift);
        long[] classes = Enumerable.Range(0, samples).Select(k => (long)(k % 10)).ToArray();
        ulong[] seeds = Enumerable.Range(0, samples).Select(k => 1_000_000UL + (ulong)k).ToArray();
        double cpu0 = CpuClock.Seconds;
        using var scope = new TensorScope();
        Tensor labels = Tensor.FromArray(classes);
        BatchedSamplingResult r = new DpmSolverPlusPlus2MSampler().Generate(
            denoiser, seeds, [1, TransferModel.HighResolution, TransferModel.HighResolution], sigmas, Conditioning.FromClassLabels(labels),
            new SamplingBatchOptions { BatchSize = 100 });
        Tensor images = r.Samples.Clamp(-1, 1);
        double sampleCpu = CpuClock.Seconds - cpu0;
        using FashionMnistEvaluator evaluator = FashionMnistEvaluator.Create();
        EvaluationResult e = evaluator.Evaluate([new ImageBatch(images, labels)]);
        TransferSource? source = TransferLedger.Source(run);
        var score = new TransferScore(
            arm, nominalBudget, run, TransferLedger.BudgetCpuSeconds(run), source?.CpuSeconds ?? 0, source?.Images ?? 0,
            TransferLedger.TrainingCpuSeconds(run), TransferLedger.Images(run), shift, source?.Resampling.ToString() ?? "-",
            samples, steps, guidance, e.FrechetDistance, e.ClassAgreement ?? double.NaN, sampleCpu,
            string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(results))!);
        File.AppendAllText(results, JsonSerializer.Serialize(score) + Environment.NewLine);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{arm} @ {nominalBudget:F0}: budget {score.BudgetCpuSeconds:F1} CPU-s, FD-FMNIST {e.FrechetDistance:F1}, class agreement {100 * score.ClassAgreement:F1} % ({samples} samples, {sampleCpu:F0} CPU-s to sample)"));
        if (grid is not null && samples >= 100)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(grid))!);
            ImageGrid.WritePng(images.Narrow(0, 0, 100), grid, columns: 10);
        }
    }
}
