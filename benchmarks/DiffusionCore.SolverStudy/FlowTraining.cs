using DiffusionCore.Data;
using DiffusionCore.Labels;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Sampling;
using DiffusionCore.Torch;
using DiffusionCore.Training;
using DiffusionCore.Training.Ema;
using DiffusionCore.Training.Losses;

namespace DiffusionCore.SolverStudy;

/// <summary>
/// The main job trained as a rectified-flow model: the same UNet without EDM preconditioning, <see cref="FlowMatchingLoss"/>
/// with SD3's logit-normal t (m = 0, s = 1), and otherwise the job's settings: 28k images, batch 64, lr 0.01 inverse-sqrt
/// (reference 2,000 batches, 10k-image ramp-up), power EMAs σ_rel 0.05/0.10 with snapshots, label dropout 0.1,
/// post-hoc EMA σ_rel 0.10, bfloat16 products where the CPU has them.
/// </summary>
internal static class FlowTraining
{
    public static void Run(StudyOptions o)
    {
        FashionMnistDataset data = FashionMnistDataset.Load(new FashionMnistOptions { Resolution = JobNetwork.Resolution });
        using var init = new Generator(JobNetwork.Seed);
        using var unet = new Edm2UNet(JobNetwork.Options, init);
        IReadOnlyList<PowerEmaTracker> emas = PowerEmaTracker.CreateSet(unet);
        const int batch = 64;
        var options = new TrainingOptions
        {
            RunDirectory = o.FlowRun,
            Seed = (long)JobNetwork.Seed,
            TotalImages = o.Images,
            BatchSize = batch,
            LearningRate = 0.01,
            LearningRateSchedule = LearningRateScheduleKind.InverseSqrt,
            ReferenceBatches = 2_000,
            RampUpImages = 10_000,
            CheckpointIntervalImages = Math.Max(batch, o.Images / 8 / batch * batch),
            SnapshotIntervalImages = Math.Max(batch, o.Images / 16 / batch * batch),
            LogIntervalImages = batch * 20L,
            KeepCheckpoints = 2,
            LabelDropout = 0.1,
            LabelFormat = ClassLabelFormat.OneHot,
        };

        try
        {
            using (var trainer = new DiffusionTrainer(unet, new FlowMatchingLoss(unet), data, options, emas))
            {
                DateTime start = DateTime.UtcNow;
                TrainingResult r = trainer.Run(new SynchronousProgress<TrainingProgress>(p =>
                {
                    if (p.ImagesSeen % (batch * 40L) == 0) Console.WriteLine($"{p.ImagesSeen,7} images  loss {p.Loss:F4}  {p.ImagesPerSecond:F0} img/s");
                }));
                trainer.WriteSnapshots();
                Console.WriteLine($"trained to {r.ImagesSeen} images in {(DateTime.UtcNow - start).TotalSeconds:F0} s");
            }

            var reconstructor = new PostHocEmaReconstructor(new TrainingRun(o.FlowRun).ListSnapshots());
            using PostHocEmaResult result = reconstructor.Reconstruct(JobNetwork.SigmaRel);
            result.Save(JobNetwork.PostHocPath(o.FlowRun));
            Console.WriteLine($"post-hoc EMA σ_rel {JobNetwork.SigmaRel} → {JobNetwork.PostHocPath(o.FlowRun)}");
        }
        finally
        {
            foreach (PowerEmaTracker e in emas) e.Dispose();
        }
    }
}
