using System.Diagnostics;
using DiffusionCore.Labels;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Samples.FashionMnist.Distributed;
using DiffusionCore.Sampling;
using DiffusionCore.Torch;
using DiffusionCore.Training;
using DiffusionCore.Data;
using DiffusionCore.Training.Ema;
using DiffusionCore.Training.Losses;
using Microsoft.Extensions.Logging;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>
/// Training: EDM2 loss, inverse-sqrt learning rate, power-function EMAs (σ_rel 0.05, 0.10) with snapshots, and label
/// dropout for classifier-free guidance (one-hot labels; a dropped label is the EDM2 UNet's unconditional zero row).
/// </summary>
internal static class TrainStage
{
    public sealed record Outcome(long ImagesSeen, bool Completed, double WallSeconds, double ImagesPerSecond, double FinalLoss, long? ResumedFrom);

    public static Outcome Run(JobOptions o, TrainingHistory history, ILogger<DiffusionTrainer> logger, RankRole rank)
    {
        FashionMnistDataset data = FashionMnistDataset.Load(new FashionMnistOptions { Resolution = FashionMnistModel.Resolution });
        using Edm2Denoiser net = FashionMnistModel.Create(o, (ulong)o.Seed);
        IReadOnlyList<PowerEmaTracker> emas = PowerEmaTracker.CreateSet(net);
        var options = new TrainingOptions
        {
            RunDirectory = o.RunDirectory,
            Seed = o.Seed,
            TotalImages = o.Images,
            BatchSize = o.Batch,
            LearningRate = o.LearningRate,
            LearningRateSchedule = LearningRateScheduleKind.InverseSqrt,
            ReferenceBatches = 2_000,
            RampUpImages = 10_000,
            CheckpointIntervalImages = Math.Max(o.Batch, o.Images / 8 / o.Batch * o.Batch),
            SnapshotIntervalImages = Math.Max(o.Batch, o.Images / 16 / o.Batch * o.Batch),
            LogIntervalImages = o.Batch * 20L,
            KeepCheckpoints = 2,
            Precision = o.Precision,
            LabelDropout = o.LabelDropout,
            LabelFormat = ClassLabelFormat.OneHot,
        };

        try
        {
            using var trainer = new DiffusionTrainer(net, new Edm2Loss(net, pMean: -1.2, pStd: 1.2), data, options, emas, logger)
            {
                GradientReducer = rank.GradientReducer(),
            };
            using var cts = o.Minutes is double m ? new CancellationTokenSource(TimeSpan.FromMinutes(m)) : new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
            Console.CancelKeyPress += onCancel;
            var clock = Stopwatch.StartNew();
            long start = 0;
            bool first = true;
            NativeTimeSample? profile = null;
            TrainingResult result = ProgressDisplay.Run("train", o.Images, report =>
            {
                // The trainer runs on this thread, data loading included, so its native time is this thread's.
                NativeProfile.Enabled = o.Profile;
                NativeProfile.Read(reset: true);
                TrainingResult r = trainer.Run(new SynchronousProgress<TrainingProgress>(p =>
                {
                    if (first) { start = p.ImagesSeen - o.Batch; first = false; }
                    history.Add(p);
                    report(p.ImagesSeen, $"loss {p.Loss:F4}  lr {p.LearningRate:G3}  {p.ImagesPerSecond:F0} img/s");
                }), cts.Token);
                if (o.Profile) profile = NativeProfile.Read(reset: true);
                NativeProfile.Enabled = false;
                return r;
            });
            clock.Stop();
            if (profile is NativeTimeSample s)
            {
                double wall = clock.Elapsed.TotalSeconds, native = s.NativeTime.TotalSeconds;
                Console.WriteLine($"profile: training {wall:F1} s, inside libtorch (native shim calls) {native:F1} s, managed + interop " +
                                  $"{wall - native:F2} s = {100 * (wall - native) / wall:F2} % ({s.Calls} native calls)");
            }

            Console.CancelKeyPress -= onCancel;
            if (rank.WritesOutputs)
            {
                trainer.WriteSnapshots();   // post-hoc EMA can then end at the last step
                history.Save();
            }

            long trained = result.ImagesSeen - (result.ResumedFromImages ?? 0);
            return new Outcome(result.ImagesSeen, result.Completed, clock.Elapsed.TotalSeconds, trained / Math.Max(1e-9, clock.Elapsed.TotalSeconds), history.RecentLoss(), result.ResumedFromImages);
        }
        finally
        {
            foreach (PowerEmaTracker e in emas) e.Dispose();
        }
    }
}
