using System.Diagnostics;
using DiffusionCore.Data;
using DiffusionCore.Labels;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Training;
using DiffusionCore.Training.DeMe;
using DiffusionCore.Training.Losses;

namespace DiffusionCore.DeMeStudy;

/// <summary>
/// One fine-tune of the pretrained model (with identity channel projections): the job's EDM2 loss (P_mean −1.2,
/// P_std 1.2) restricted to range <see cref="Arm.Range"/> of <see cref="Arm.Ranges"/> equal-probability σ ranges (one
/// range = the full range, no escape), plus the consistency loss against the frozen pretrained model; Adam at a
/// constant learning rate, label dropout 0.1 as the job. The result is the raw weights at the end.
/// </summary>
internal static class FineTune
{
    public sealed record Arm(string Name, int Ranges, int Range, long Images, long Seed);

    /// <summary>Trains the arm (or reuses its file) and returns the state-dict path and the training loop's CPU seconds (NaN when reused).</summary>
    public static (string Path, double CpuSeconds) Run(Arm arm, string basePath, StudyOptions o, FashionMnistDataset data)
    {
        string path = Path.Combine(o.Out, $"{arm.Name}.safetensors");
        if (File.Exists(path)) return (path, double.NaN);
        using Edm2Denoiser net = JobModel.Create(projections: true);
        net.LoadStateDict(basePath);
        using Edm2Denoiser frozen = JobModel.Create(projections: true);
        frozen.LoadStateDict(basePath);
        frozen.Eval();
        using var tap = new DenoiserTap(net);
        var denoising = new Edm2Loss(tap, pMean: -1.2, pStd: 1.2);
        ITrainingLoss loss = o.Consistency > 0 ? new ConsistencyLoss(denoising, tap, frozen, o.Consistency) : denoising;
        var range = new NoiseRangeOptions { Ranges = arm.Ranges, Range = arm.Range, EscapeProbability = arm.Ranges > 1 ? o.Escape : 0 };
        var restricted = new RangeRestrictedLoss(loss, range, NoiseLevelQuantiles.For(denoising.NoiseLevels));
        var options = new TrainingOptions
        {
            RunDirectory = Path.Combine(o.Out, "runs", arm.Name),
            Seed = arm.Seed,
            TotalImages = arm.Images,
            BatchSize = 64,
            LearningRate = o.LearningRate,
            LearningRateSchedule = LearningRateScheduleKind.Constant,
            CheckpointIntervalImages = arm.Images,
            KeepCheckpoints = 1,
            LabelDropout = 0.1,
            LabelFormat = ClassLabelFormat.OneHot,
        };
        TimeSpan before = Process.GetCurrentProcess().TotalProcessorTime;
        using (var trainer = new DiffusionTrainer(net, restricted, data, options))
        {
            trainer.Run();
        }

        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds;
        net.SaveStateDict(path);
        return (path, cpu);
    }
}
