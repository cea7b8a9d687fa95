using System.Diagnostics;
using DiffusionCore.Data;
using DiffusionCore.Labels;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Samples.FashionMnist;
using DiffusionCore.Sampling;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Training;
using DiffusionCore.Training.Ema;
using DiffusionCore.Training.Losses;

namespace DiffusionCore.ControlStudy;

/// <summary>
/// Trains one arm: the job's recipe (EDM2 loss P_mean −1.2, P_std 1.2; lr 0.01 inverse-sqrt, reference 2,000 batches,
/// 10k-image ramp-up; batch 64; label dropout 0.1) plus the control augmentation and control dropout 0.1, with one
/// intra-op thread. The budget is load-independent: the run stops (after a checkpoint) at the first step that ends with
/// the training loop's process CPU time over <c>cpuSeconds</c>, or at <c>images</c>, whichever comes first.
/// </summary>
internal static class TrainArm
{
    public static void Run(ControlArm arm, string run, long images, double cpuSeconds)
    {
        Torch.Torch.NumThreads = 1;
        FashionMnistDataset data = FashionMnistDataset.Load(new FashionMnistOptions { Resolution = FashionMnistModel.Resolution });
        using Edm2Denoiser net = StudyModel.Create(arm);
        using var ema = new PowerEmaTracker(net, new PowerEmaOptions { SigmaRel = 0.10 });
        const int batch = 64;
        var options = new TrainingOptions
        {
            RunDirectory = run,
            Seed = (long)StudyModel.Seed,
            TotalImages = images,
            BatchSize = batch,
            LearningRate = 0.01,
            LearningRateSchedule = LearningRateScheduleKind.InverseSqrt,
            ReferenceBatches = 2_000,
            RampUpImages = 10_000,
            CheckpointIntervalImages = Math.Max(batch, images / 2 / batch * batch),
            LogIntervalImages = batch * 50L,
            KeepCheckpoints = 1,
            LabelDropout = 0.1,
            ControlDropout = 0.1,
            LabelFormat = ClassLabelFormat.OneHot,
        };

        using var trainer = new DiffusionTrainer(net, new Edm2Loss(net, -1.2, 1.2), data, options, [ema])
        {
            ControlAugmentation = new ControlAugmentation(StudyModel.Augmentation),
        };

        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var budget = new CancellationTokenSource();
        TrainingResult r = trainer.Run(new SynchronousProgress<TrainingProgress>(p =>
        {
            double used = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            if (p.ImagesSeen % (batch * 50L) == 0) Console.WriteLine($"{arm} {p.ImagesSeen,7} images  loss {p.Loss:F4}  CPU {used:F0} s");
            if (used >= cpuSeconds) budget.Cancel();
        }), budget.Token);
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        ema.CopyTo(net);
        net.SaveStateDict(StudyModel.WeightsPath(run));
        Console.WriteLine($"{arm}: trained to {r.ImagesSeen} images ({(r.Completed ? "image budget" : "CPU budget")}); training loop CPU {cpu:F0} s, wall {clock.Elapsed.TotalSeconds:F0} s → {StudyModel.WeightsPath(run)}");
    }
}
