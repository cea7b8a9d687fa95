using System.Diagnostics;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Samples.FashionMnist;
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

using Edm2Denoiser net = SampleStage.LoadNetwork(o, out string weights);
Console.WriteLine($"sampling with {o.Sampler}, {o.Steps} steps, guidance {o.Guidance} from {weights}");
int[] gridClasses = Enumerable.Range(0, FashionMnistModel.Classes).SelectMany(c => Enumerable.Repeat(c, o.SamplesPerClass)).ToArray();
using SampleStage.Samples grid = SampleStage.Generate(o, net, gridClasses);
OutputWriter.WriteGrid(grid, o.SamplesPerClass, o.Output);
Console.WriteLine($"wrote {Path.Combine(o.Output, "grid.png")} and {gridClasses.Length} PNGs under {Path.Combine(o.Output, "samples")}");

OutputWriter.WriteSummary(new
{
    ImagesSeen = trained?.ImagesSeen,
    TrainingWallSeconds = trained?.WallSeconds,
    ImagesPerSecond = trained?.ImagesPerSecond,
    FinalLoss = trained?.FinalLoss,
    Sampler = o.Sampler,
    Steps = o.Steps,
    Nfe = grid.FunctionEvaluations,
    Guidance = o.Guidance,
    SigmaRel = o.SigmaRel,
    Weights = weights,
    TotalWallSeconds = total.Elapsed.TotalSeconds,
}, o.Output);
return 0;
