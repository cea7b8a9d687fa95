using System.Diagnostics;
using System.Globalization;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Distributed;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Training;
using DiffusionCore.Training.Ema;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Tests.Support;

namespace DiffusionCore.Distributed.Worker;

/// <summary>
/// Trains the tiny network, data-parallel when launched with WORLD_SIZE &gt; 1. Arguments after the timeout:
/// run directory, output directory, total images, global batch, accumulation rounds, checkpoint interval, and optionally
/// the images after which the last rank stops answering (it then sleeps until killed). Prints "loss_N=…" per step, a
/// "result=…" line, and writes the final weights and EMA of each rank to the output directory.
/// </summary>
internal static class TrainingScenario
{
    public static int Run(DistributedEnvironment env, TimeSpan timeout, string[] args)
    {
        string runDirectory = args[0];
        string outputDirectory = args[1];
        long total = long.Parse(args[2], CultureInfo.InvariantCulture);
        int batch = int.Parse(args[3], CultureInfo.InvariantCulture);
        int rounds = int.Parse(args[4], CultureInfo.InvariantCulture);
        long checkpointInterval = long.Parse(args[5], CultureInfo.InvariantCulture);
        long hangAfter = args.Length > 6 ? long.Parse(args[6], CultureInfo.InvariantCulture) : long.MaxValue;

        using ProcessGroup? group = env.IsDistributed ? ProcessGroup.Create(env, new ProcessGroupOptions { Timeout = timeout }) : null;
        // Every rank starts from different weights: the trainer must replace them by rank 0's.
        using var network = TinyNetworks.Edm2(7 + (1000 * (ulong)env.Rank));
        using var data = new RandomImages(24, 99);
        using var ema = new TraditionalEmaTracker(network, new TraditionalEmaOptions { Name = "ema", HalfLifeImages = 16, RampUpRatio = null });
        IReadOnlyList<PowerEmaTracker> power = PowerEmaTracker.CreateSet(network);
        var options = new TrainingOptions
        {
            // Only rank 0 may write: the other ranks get their own directory, which must stay empty.
            RunDirectory = env.Rank == 0 ? runDirectory : $"{runDirectory}-rank{env.Rank}",
            Seed = 1234,
            TotalImages = total,
            BatchSize = batch,
            AccumulationRounds = rounds,
            LearningRate = 0.01,
            LearningRateSchedule = LearningRateScheduleKind.InverseSqrt,
            ReferenceBatches = 2,
            RampUpImages = 8,
            GradientClipNorm = 10,
            CheckpointIntervalImages = checkpointInterval,
            SnapshotIntervalImages = checkpointInterval,
            KeepCheckpoints = 10,
            Precision = ComputePrecision.Float32,
        };
        using var trainer = new DiffusionTrainer(network, new Edm2Loss(network), data, options, [ema, .. power], new LineLogger<DiffusionTrainer>())
        {
            GradientReducer = group is null ? LocalGradientReducer.Instance : new DataParallelGradientReducer(group),
        };
        var progress = new SynchronousProgress(p =>
        {
            Report.Line($"loss_{p.ImagesSeen}", p.Loss.ToString("R", CultureInfo.InvariantCulture));
            if (p.ImagesSeen >= hangAfter && env.Rank == env.WorldSize - 1)
            {
                Report.Line("hanging", p.ImagesSeen.ToString(CultureInfo.InvariantCulture));
                Thread.Sleep(Timeout.Infinite);
            }
        });

        var clock = Stopwatch.StartNew();
        try
        {
            TrainingResult result = trainer.Run(progress);
            Report.Line("result", $"{result.Completed}|{result.ImagesSeen}|{result.ResumedFromImages?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        }
        catch (DistributedException e)
        {
            Report.Error("train_error", e, clock.Elapsed);
            return 1;
        }

        Directory.CreateDirectory(outputDirectory);
        using var scope = new TensorScope();
        SafeTensors.Save(Path.Combine(outputDirectory, $"weights-rank{env.Rank}.safetensors"), network.StateDict());
        SafeTensors.Save(Path.Combine(outputDirectory, $"ema-rank{env.Rank}.safetensors"), ema.StateDict());
        foreach (PowerEmaTracker p in power) p.Dispose();
        return 0;
    }

    /// <summary>Reports on the training thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
