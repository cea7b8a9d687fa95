using System.Diagnostics;
using System.Globalization;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Sampling;
using DiffusionCore.Torch;
using DiffusionCore.Training;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Masking;
using TorchLib = DiffusionCore.Torch.Torch;

namespace DiffusionCore.MaskDmStudy;

/// <summary>
/// Times training steps of the study DiT (DDPM ε-loss) at one mask ratio (blocks of <c>--block</c>² tokens): wall and CPU seconds
/// per step after a warm-up, medians printed as one line (<c>steptime ratio=… wall_ms=… cpu_ms=…</c>).
/// </summary>
internal static class StepTime
{
    public static void Run(double ratio, int blockSize, int steps, int warmup, int batch, int threads, string runRoot)
    {
        TorchLib.NumThreads = threads;
        string runDir = Path.Combine(runRoot, FormattableString.Invariant($"steptime-{ratio:F2}-{Environment.ProcessId}"));
        var dataset = new ClassSubset(
            Data.FashionMnistDataset.Load(new Data.FashionMnistOptions { Resolution = StudyModel.Resolution }), Enumerable.Range(0, 10).ToArray(), 4096);
        using var init = new Generator(1);
        using var dit = new DiffusionTransformer(StudyModel.Options, init);
        var loss = new DdpmEpsilonLoss(new MaskedTokenNetwork(dit), StudyModel.Schedule);
        long total = (long)(steps + warmup) * batch;
        var options = new TrainingOptions
        {
            RunDirectory = runDir, Seed = 1, TotalImages = total, BatchSize = batch, Optimizer = TrainingOptimizer.AdamW, LearningRate = 1e-4,
            LearningRateSchedule = LearningRateScheduleKind.Constant, Precision = ComputePrecision.Float32, Resume = false,
            MaskedPretraining = ratio > 0
                ? new MaskedPretrainingOptions { Mask = new TokenMaskOptions { Kind = TokenMaskKind.Blocks, Ratio = ratio, BlockSize = blockSize }, PretrainImages = total }
                : null,
        };
        var wall = new List<double>();
        var cpu = new List<double>();
        var clock = Stopwatch.StartNew();
        double lastWall = 0, lastCpu = CpuClock.Seconds;
        using (var trainer = new DiffusionTrainer(dit, loss, dataset, options))
        {
            trainer.Run(new SynchronousProgress<TrainingProgress>(_ =>
            {
                double w = clock.Elapsed.TotalSeconds, c = CpuClock.Seconds;
                wall.Add(w - lastWall);
                cpu.Add(c - lastCpu);
                (lastWall, lastCpu) = (w, c);
            }));
        }

        Directory.Delete(runDir, recursive: true);
        int kept = ratio > 0
            ? TokenMasks.KeptCount(new TokenMaskOptions { Kind = TokenMaskKind.Blocks, Ratio = ratio, BlockSize = blockSize }, StudyModel.Options.GridSize)
            : StudyModel.Options.NumTokens;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"steptime ratio={ratio:F2} kept_tokens={kept} batch={batch} threads={threads} wall_ms={1000 * Median(wall.Skip(warmup)):F1} cpu_ms={1000 * Median(cpu.Skip(warmup)):F1}"));
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] v = values.Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
    }
}
