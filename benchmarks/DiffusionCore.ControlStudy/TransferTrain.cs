using System.Diagnostics;
using System.Globalization;
using DiffusionCore.Data;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Sampling;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Training;
using DiffusionCore.Training.Ema;
using DiffusionCore.Training.Losses;

namespace DiffusionCore.ControlStudy;

/// <summary>
/// Study 2, one training stage of the transfer DiT (<see cref="TransferModel"/>) on Fashion-MNIST at 16² (2×2-pooled)
/// or 32² (zero-padded): EDM2 loss (P_mean −1.2, P_std 1.2; at 32² after a transfer P_mean + ln s with the resolution
/// shift s = 2, which is exactly <c>ShiftedNoiseLevels</c>' σ' = s·σ for a log-normal p_train), AdamW lr 10⁻³ constant,
/// gradient clip 1, batch 32, label dropout 0.1, power EMA σ_rel 0.10, one intra-op thread. The budget is the training
/// loop's process CPU time, cumulative over the arm: a run's own stages plus, after a transfer, its 16² source's CPU
/// time at the transfer (a second call resumes from the checkpoint and trains until the arm's total reaches
/// <c>cpuSeconds</c>); <c>--from</c> starts a new 32² run from a 16² run's EMA weights.
/// </summary>
internal static class TransferTrain
{
    public const int BatchSize = 32;

    public static void Run(int resolution, string run, double cpuSeconds, string? from, PositionEmbeddingResampling resampling, bool shift)
    {
        if (resolution is not (TransferModel.LowResolution or TransferModel.HighResolution))
        {
            throw new ArgumentOutOfRangeException(nameof(resolution), resolution, $"The study trains at {TransferModel.LowResolution} or {TransferModel.HighResolution}.");
        }

        if (from is not null && resolution != TransferModel.HighResolution)
        {
            throw new ArgumentException($"--from transfers a {TransferModel.LowResolution}² run into a {TransferModel.HighResolution}² model: pass --resolution {TransferModel.HighResolution}.", nameof(from));
        }

        Torch.Torch.NumThreads = 1;
        IImageDataset data = FashionMnistDataset.Load(new FashionMnistOptions { Resolution = TransferModel.HighResolution });
        if (resolution == TransferModel.LowResolution) data = new DownsampledImages(data);
        using TransferModel model = TransferModel.Create(resolution);
        bool fresh = !Directory.Exists(run) || new TrainingRun(run).Checkpoints.List().Count == 0;
        if (from is not null && fresh)
        {
            model.TransferFrom(from, resampling);
            TransferLedger.RecordTransfer(run, from, resampling, shift);
        }

        double used = TransferLedger.BudgetCpuSeconds(run);
        if (used >= cpuSeconds)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run}: the arm has already used {used:F1} CPU-s ≥ {cpuSeconds:F0}; nothing to do."));
            return;
        }

        double s = TransferLedger.Shift(run);
        using var ema = new PowerEmaTracker(model.Denoiser, new PowerEmaOptions { SigmaRel = 0.10 });
        var options = new TrainingOptions
        {
            RunDirectory = run,
            Seed = (long)TransferModel.Seed,
            TotalImages = 100_000_000,
            BatchSize = BatchSize,
            Optimizer = TrainingOptimizer.AdamW,
            LearningRate = 1e-3,
            LearningRateSchedule = LearningRateScheduleKind.Constant,
            GradientClipNorm = 1.0,
            LabelDropout = 0.1,
            LogIntervalImages = BatchSize * 100L,
            KeepCheckpoints = 1,
        };

        using var trainer = new DiffusionTrainer(model.Denoiser, new Edm2Loss(model.Denoiser, -1.2 + Math.Log(s), 1.2), data, options, [ema]);
        double cpu0 = CpuClock.Seconds;
        var clock = Stopwatch.StartNew();
        using var budget = new CancellationTokenSource();
        TrainingResult r = trainer.Run(new SynchronousProgress<TrainingProgress>(p =>
        {
            double now = used + (CpuClock.Seconds - cpu0);
            if (p.ImagesSeen % (BatchSize * 100L) == 0) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run} {p.ImagesSeen,7} images  loss {p.Loss:F4}  CPU {now:F0} s"));
            if (now >= cpuSeconds) budget.Cancel();
        }), budget.Token);
        double cpu = CpuClock.Seconds - cpu0;
        ema.CopyTo(model.Denoiser);
        model.Denoiser.SaveStateDict(TransferModel.WeightsPath(run));
        TransferLedger.RecordStage(run, resolution, r.ResumedFromImages ?? 0, r.ImagesSeen, cpu, clock.Elapsed.TotalSeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{run}: {resolution}², shift {s:0.##}, trained to {r.ImagesSeen} images; this stage {cpu:F1} CPU-s (wall {clock.Elapsed.TotalSeconds:F0} s), arm total {used + cpu:F1} CPU-s"));
    }
}
