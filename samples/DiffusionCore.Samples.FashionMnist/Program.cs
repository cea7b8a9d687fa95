using System.Diagnostics;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Samples.FashionMnist;
using DiffusionCore.Sampling;
using DiffusionCore.Torch;

JobOptions o;
try
{
    o = JobOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

if (o.Command == "help")
{
    Console.WriteLine(JobOptions.Usage);
    return 0;
}

Torch.NumThreads = o.Threads;
Console.WriteLine($"DiffusionCore Fashion-MNIST job on libtorch {Torch.Version}, {Torch.NumThreads} thread(s); run directory {o.RunDirectory}");
var total = Stopwatch.StartNew();
var history = new TrainingHistory(o.RunDirectory);
TrainStage.Outcome? trained = null;
if (o.Command is "run" or "train")
{
    trained = TrainStage.Run(o, history);
    Console.WriteLine($"trained to {trained.ImagesSeen:N0} images ({(trained.Completed ? "budget reached" : "stopped early; run again to continue")}), " +
        $"{trained.ImagesPerSecond:F0} img/s, recent loss {trained.FinalLoss:F4}");
    OutputWriter.WriteCurves(history, o.Output);
    if (o.Command == "train") return 0;
}

if (o.Command is "run" or "posthoc")
{
    PostHocStage.Run(o);
    if (o.Command == "posthoc") return 0;
}

if (o.Command == "evaluate")
{
    string folder = o.Folder ?? Path.Combine(o.Output, "samples");
    Console.WriteLine(EvaluateStage.Folder(folder).ToJson());
    return 0;
}

using Edm2Denoiser net = SampleStage.LoadNetwork(o, out string weights);
Console.WriteLine($"sampling with {o.Sampler}, {o.Steps} steps, guidance {o.Guidance} from {weights}");
int[] gridClasses = Enumerable.Range(0, FashionMnistModel.Classes).SelectMany(c => Enumerable.Repeat(c, o.SamplesPerClass)).ToArray();
SamplingBatchPlan batchPlan = SampleStage.PlanBatch(o, net, gridClasses.Length + o.EvalSamples);
Console.WriteLine($"sampling batch {batchPlan.BatchSize}: {batchPlan.Reason}");
using SampleStage.Samples grid = SampleStage.Generate(o, net, gridClasses, batchPlan.BatchSize);
OutputWriter.WriteGrid(grid, o.SamplesPerClass, o.Output);
Console.WriteLine($"wrote {Path.Combine(o.Output, "grid.png")} and {gridClasses.Length} PNGs under {Path.Combine(o.Output, "samples")}");

int[] evalClasses = Enumerable.Range(0, o.EvalSamples).Select(i => i % FashionMnistModel.Classes).ToArray();
EvaluateStage.Scores scores;
using (SampleStage.Samples evalSamples = SampleStage.Generate(o, net, evalClasses, batchPlan.BatchSize, firstSeed: 100_000))
{
    scores = EvaluateStage.Samples(evalSamples);
}

Console.WriteLine($"FD-FMNIST {scores.FdFmnist:F2} over {scores.Images} samples (real training images, same count: {scores.FdRealSameCount:F2}); " +
    $"class agreement {scores.ClassAgreement:P1} (classifier test accuracy {scores.ClassifierAccuracy:P1})");

OutputWriter.WriteSummary(new
{
    ImagesSeen = trained?.ImagesSeen,
    TrainingWallSeconds = trained?.WallSeconds,
    ImagesPerSecond = trained?.ImagesPerSecond,
    FinalLoss = trained?.FinalLoss,
    Sampler = o.Sampler,
    SampleBatch = batchPlan.BatchSize,
    Steps = o.Steps,
    Nfe = grid.FunctionEvaluations,
    Guidance = o.Guidance,
    SigmaRel = o.SigmaRel,
    Weights = weights,
    FdFmnist = scores.FdFmnist,
    FdFmnistRealSameCount = scores.FdRealSameCount,
    ClassAgreement = scores.ClassAgreement,
    EvaluatedSamples = scores.Images,
    ClassifierTestAccuracy = scores.ClassifierAccuracy,
    TotalWallSeconds = total.Elapsed.TotalSeconds,
}, o.Output);
return 0;
