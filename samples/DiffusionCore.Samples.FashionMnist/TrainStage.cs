using System.Diagnostics;
using DiffusionCore.Labels;
using DiffusionCore.Samples.FashionMnist.Distributed;
using DiffusionCore.Sampling;
using DiffusionCore.Torch;
using DiffusionCore.Training;
using DiffusionCore.Data;
using DiffusionCore.Training.Ema;
using Microsoft.Extensions.Logging;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>
/// Training: the objective's loss (EDM2 or flow matching), inverse-sqrt learning rate, power-function EMAs (σ_rel
/// 0.05, 0.10) with snapshots at a regular interval of images seen (<see cref="SnapshotPlan"/>), and label dropout for
/// classifier-free guidance (one-hot labels; a dropped label is the EDM2 UNet's unconditional zero row). The budget is
/// in images, or in seconds when the job has <c>--minutes</c> (<see cref="JobPlan"/>).
/// </summary>
internal static class TrainStage
{
    public sealed record Outcome(long ImagesSeen, bool Completed, double WallSeconds, double ImagesPerSecond, double FinalLoss, long? ResumedFrom, int Snapshots);

    /// <summary>One network to train: where, which, and for how long.</summary>
    /// <param name="RunDirectory">Checkpoints, snapshots and history.</param>
    /// <param name="Model">The network and its loss.</param>
    /// <param name="Images">The budget in images seen.</param>
    /// <param name="Seconds">A time budget (training stops, checkpointed, when it is spent), or null.</param>
    /// <param name="LabelDropout">Probability of training a batch element without its label.</param>
    public sealed record Spec(string RunDirectory, FashionMnistModel Model, long Images, double? Seconds, double LabelDropout);

    /// <summary>The main network's training under <paramref name="o"/>, for <paramref name="seconds"/> when the job has a time budget.</summary>
    public static Spec ForMain(JobOptions o, FashionMnistModel model, double? seconds) =>
        new(o.RunDirectory, model, seconds is null ? o.Images : long.MaxValue / 4, seconds, o.LabelDropout);

    /// <summary>The autoguidance guide's training: <see cref="JobOptions.GuideShare"/> of the images, or the seconds planned for it; conditional only.</summary>
    public static Spec ForGuide(JobOptions o, FashionMnistModel model, double? seconds) =>
        new(o.GuideRunDirectory, model, seconds is null ? Math.Max(o.Batch, (long)(o.GuideShare * o.Images)) : long.MaxValue / 4, seconds, 0);

    public static Outcome Run(JobOptions o, Spec spec, TrainingHistory history, ILogger<DiffusionTrainer> logger, RankRole rank)
    {
        FashionMnistDataset data = FashionMnistDataset.Load(new FashionMnistOptions { Resolution = FashionMnistModel.Resolution });
        IReadOnlyList<PowerEmaTracker> emas = PowerEmaTracker.CreateSet(spec.Model.Network);
        bool timed = spec.Seconds is not null;
        var options = new TrainingOptions
        {
            RunDirectory = spec.RunDirectory,
            Seed = o.Seed,
            TotalImages = spec.Images,
            BatchSize = o.Batch,
            LearningRate = o.LearningRate,
            LearningRateSchedule = LearningRateScheduleKind.InverseSqrt,
            ReferenceBatches = 2_000,
            RampUpImages = 10_000,
            CheckpointIntervalImages = timed ? 32_000 / o.Batch * o.Batch : Math.Max(o.Batch, spec.Images / 8 / o.Batch * o.Batch),
            SnapshotIntervalImages = 0,   // SnapshotPlan decides
            LogIntervalImages = o.Batch * 20L,
            KeepCheckpoints = 2,
            Precision = o.Precision,
            LabelDropout = spec.LabelDropout,
            LabelFormat = ClassLabelFormat.OneHot,
        };
        SnapshotPlan snapshots = timed ? SnapshotPlan.ForTime(spec.Seconds!.Value, o.Snapshots) : SnapshotPlan.ForImages(spec.Images, o.Snapshots);

        try
        {
            using var trainer = new DiffusionTrainer(spec.Model.Network, spec.Model.CreateLoss(), data, options, emas, logger)
            {
                GradientReducer = rank.GradientReducer(),
            };
            using var cts = timed ? new CancellationTokenSource(TimeSpan.FromSeconds(spec.Seconds!.Value)) : new CancellationTokenSource();
            bool interrupted = false;
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; interrupted = true; cts.Cancel(); };
            Console.CancelKeyPress += onCancel;
            var clock = Stopwatch.StartNew();
            int written = 0;
            NativeTimeSample? profile = null;
            TrainingResult result = ProgressDisplay.Run("train", timed ? spec.Seconds!.Value : spec.Images, report =>
            {
                // The trainer runs on this thread, data loading included, so its native time is this thread's.
                NativeProfile.Enabled = o.Profile;
                NativeProfile.Read(reset: true);
                TrainingResult r = trainer.Run(new SynchronousProgress<TrainingProgress>(p =>
                {
                    history.Add(p);
                    double elapsed = clock.Elapsed.TotalSeconds;
                    if (rank.WritesOutputs && snapshots.IsDue(p.ImagesSeen, o.Batch, elapsed)) written += trainer.WriteSnapshots().Count > 0 ? 1 : 0;
                    report(timed ? elapsed : p.ImagesSeen, $"{p.ImagesSeen:N0} images  loss {p.Loss:F4}  lr {p.LearningRate:G3}  {p.ImagesPerSecond:F0} img/s");
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
                if (trainer.WriteSnapshots().Count > 0) written++;   // post-hoc EMA can then end at the last step
                history.Save();
            }
            long trained = result.ImagesSeen - (result.ResumedFromImages ?? 0);
            bool completed = result.Completed || (timed && !interrupted);
            return new Outcome(result.ImagesSeen, completed, clock.Elapsed.TotalSeconds, trained / Math.Max(1e-9, clock.Elapsed.TotalSeconds),
                history.RecentLoss(), result.ResumedFromImages, written);
        }
        finally
        {
            foreach (PowerEmaTracker e in emas) e.Dispose();
        }
    }
}
