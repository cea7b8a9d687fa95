using System.Globalization;
using System.Text.Json;
using DiffusionCore.Data;
using DiffusionCore.Data.Imaging;
using DiffusionCore.Denoisers;
using DiffusionCore.Evaluation;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Samples.FashionMnist;
using DiffusionCore.Sampling;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using DiffusionCore.Training;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Masking;
using TorchLib = DiffusionCore.Torch.Torch;

namespace DiffusionCore.MaskDmStudy;

/// <summary>
/// One arm of the study: train the study DiT (from scratch or from another arm's weights), masked for the first
/// <c>--pretrain-images</c> images when <c>--mask-ratio</c> &gt; 0 (MaskDM's two stages as one run), on one intra-op thread;
/// then sample, score FD-FMNIST and class agreement, write a grid and append a JSON line.
/// </summary>
internal static class Arm
{
    public static void Run(ArmOptions o)
    {
        TorchLib.NumThreads = 1;
        string runDir = Path.Combine(o.RunRoot, o.Name);
        if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);
        FashionMnistDataset train = FashionMnistDataset.Load(new FashionMnistOptions { Resolution = StudyModel.Resolution });
        var dataset = new ClassSubset(train, o.Classes, o.MaxImages);
        using var init = new Generator((ulong)o.Seed);
        using var dit = new DiffusionTransformer(StudyModel.Options, init);
        if (o.InitFrom is { } from && new TrainingRun(from).LoadLatestNetwork(dit) is null)
        {
            throw new InvalidOperationException($"No checkpoint in {from} to start from: run that arm first.");
        }

        var network = new MaskedTokenNetwork(dit);
        var loss = new EdmLoss(new PreconditionedDenoiser(network, new EdmPreconditioning()));
        var options = new TrainingOptions
        {
            RunDirectory = runDir,
            Seed = o.Seed,
            TotalImages = o.TotalImages,
            BatchSize = o.BatchSize,
            Optimizer = TrainingOptimizer.AdamW,
            LearningRate = o.LearningRate,
            LearningRateSchedule = LearningRateScheduleKind.Constant,
            Precision = ComputePrecision.Float32,
            GradientClipNorm = 1.0,
            LogIntervalImages = 0,
            Resume = false,
            MaskedPretraining = o.MaskRatio > 0 || o.PretrainImages > 0
                ? new MaskedPretrainingOptions
                {
                    Mask = new TokenMaskOptions { Kind = o.MaskKind, Ratio = o.MaskRatio, BlockSize = o.BlockSize },
                    PretrainImages = o.PretrainImages,
                }
                : null,
        };

        double start = CpuClock.Seconds;
        double? switchAt = null;
        using (var trainer = new DiffusionTrainer(dit, loss, dataset, options))
        {
            var progress = new SynchronousProgress<TrainingProgress>(p =>
            {
                if (switchAt is null && p.ImagesSeen >= o.PretrainImages) switchAt = CpuClock.Seconds;
            });
            trainer.Run(progress);
        }

        double trainCpu = CpuClock.Seconds - start;
        double pretrainCpu = o.PretrainImages > 0 ? (switchAt ?? CpuClock.Seconds) - start : 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{o.Name}: trained {o.TotalImages} images ({o.PretrainImages} masked) in {trainCpu:F1} CPU-s ({pretrainCpu:F1} masked), {network.KeptForwardCount} kept-token passes"));

        var record = new Dictionary<string, object?>
        {
            ["name"] = o.Name,
            ["mask_ratio"] = o.MaskRatio,
            ["block"] = o.BlockSize,
            ["classes"] = string.Join(",", o.Classes),
            ["train_images_available"] = dataset.Count,
            ["pretrain_images"] = o.PretrainImages,
            ["total_images"] = o.TotalImages,
            ["train_cpu_s"] = Math.Round(trainCpu, 1),
            ["pretrain_cpu_s"] = Math.Round(pretrainCpu, 1),
            ["init_from"] = o.InitFrom,
        };
        if (o.Samples > 0) Evaluate(o, dit, record);
        if (o.Out is { } outFile)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outFile))!);
            File.AppendAllText(outFile, JsonSerializer.Serialize(record) + Environment.NewLine);
        }

        Console.WriteLine(JsonSerializer.Serialize(record));
    }

    private static void Evaluate(ArmOptions o, DiffusionTransformer dit, Dictionary<string, object?> record)
    {
        dit.Eval();
        var denoiser = new PreconditionedDenoiser(dit, new EdmPreconditioning());
        int[] classes = o.Classes.ToArray();
        long[] labels = Enumerable.Range(0, o.Samples).Select(i => (long)classes[i % classes.Length]).ToArray();
        ulong[] seeds = Enumerable.Range(0, o.Samples).Select(i => 1_000_000UL + (ulong)i).ToArray();
        double[] sigmas = SigmaSchedules.Karras(o.SamplerSteps);
        double start = CpuClock.Seconds;
        using var scope = new TensorScope();
        Tensor labelTensor = Tensor.FromArray(labels);
        BatchedSamplingResult result = new HeunSampler().Generate(
            denoiser, seeds, [1, StudyModel.Resolution, StudyModel.Resolution], sigmas, Conditioning.FromClassLabels(labelTensor),
            new SamplingBatchOptions { BatchSize = 250 });
        Tensor images = result.Samples.Clamp(-1, 1);
        record["sample_cpu_s"] = Math.Round(CpuClock.Seconds - start, 1);
        record["nfe"] = result.FunctionEvaluations;

        using FashionMnistEvaluator evaluator = FashionMnistEvaluator.Create();
        if (classes.Length == 10)
        {
            EvaluationResult r = evaluator.Evaluate([new ImageBatch(images, labelTensor)]);
            record["fd_fmnist"] = Math.Round(r.FrechetDistance, 2);
            record["class_agreement"] = Math.Round(r.ClassAgreement ?? double.NaN, 4);
        }
        else
        {
            // FD against the test images of the arm's own classes.
            FashionMnistDataset test = FashionMnistDataset.Load(new FashionMnistOptions { Resolution = StudyModel.Resolution, Split = FashionMnistSplit.Test });
            using FeatureStatistics reference = evaluator.ComputeStatistics(new ClassSubset(test, o.Classes));
            using FeatureStatistics generated = evaluator.ComputeStatistics([images]);
            record["fd_fmnist"] = Math.Round(FrechetDistance.Compute(generated, reference), 2);
            record["class_agreement"] = Math.Round(evaluator.ClassAgreement(images, labelTensor), 4);
        }

        if (o.GridDirectory is { } dir)
        {
            Directory.CreateDirectory(dir);
            int rows = Math.Min(10, o.Samples / 10);
            if (rows > 0)
            {
                ImageGrid.WritePng(images.Narrow(0, 0, rows * 10), Path.Combine(dir, o.Name + ".png"), columns: 10);
            }
        }
    }
}

/// <summary>The settings of one arm.</summary>
internal sealed record ArmOptions
{
    public required string Name { get; init; }

    public required string RunRoot { get; init; }

    public required double MaskRatio { get; init; }

    public required TokenMaskKind MaskKind { get; init; }

    public required int BlockSize { get; init; }

    public required long PretrainImages { get; init; }

    public required long TotalImages { get; init; }

    public required IReadOnlyCollection<int> Classes { get; init; }

    public int? MaxImages { get; init; }

    public string? InitFrom { get; init; }

    public required int Samples { get; init; }

    public required int SamplerSteps { get; init; }

    public required double LearningRate { get; init; }

    public required int BatchSize { get; init; }

    public required long Seed { get; init; }

    public string? Out { get; init; }

    public string? GridDirectory { get; init; }
}
