// The consumer proof run by eng/package-smoke.sh: a fresh console app that references the packed DiffusionCore
// packages (never the projects) writes 64 synthetic 8×8 PNGs and loads them as an ImageFolderDataset (DiffusionCore.Data,
// codecs from SkiaSharp), trains a tiny EDM2 UNet for a few steps with DiffusionTrainer, finds the newest checkpoint
// through TrainingRun, averages the network with that checkpoint (DiffusionCore.Merge) and samples with Heun through an
// autoguidance decorator (DiffusionCore.Conditioning), then writes a labelled folder for the walkthrough programs that
// the script runs next (docs/walkthrough.md). Exits non-zero on any failure.
using System.Globalization;
using DiffusionCore;
using DiffusionCore.Data;
using DiffusionCore.Data.Imaging;
using DiffusionCore.Guidance;
using DiffusionCore.Merge;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Sampling;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using DiffusionCore.Training;
using DiffusionCore.Training.Losses;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
const int Size = 8, Batch = 16, Steps = 12, SampleCount = 4;

// The shim must come from the DiffusionCore.Torch package's native asset, copied under runtimes/linux-x64/native/.
string packagedShim = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libdiffusioncore_native.so");
if (!File.Exists(packagedShim))
{
    Console.Error.WriteLine($"FAIL: the packaged native shim is not at {packagedShim}");
    return 1;
}

Torch.EnsureLoaded();
Console.WriteLine($"libtorch {Torch.Version}, shim ABI {Torch.AbiVersion}, {Torch.NumThreads} thread(s)");

string runDirectory = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), $"dc-smoke-run-{Environment.ProcessId}");
using var scope = new TensorScope();

// Training images the way a user brings their own: a folder of PNGs, written and then decoded by SkiaSharp, whose
// native library must also have come from a package (SkiaSharp.NativeAssets.Linux.NoDependencies, through DiffusionCore.Data).
string packagedSkia = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libSkiaSharp.so");
if (!File.Exists(packagedSkia))
{
    Console.Error.WriteLine($"FAIL: SkiaSharp's native library is not at {packagedSkia}");
    return 1;
}

string imageDirectory = Path.Combine(runDirectory, "images");
WriteSyntheticImages(imageDirectory, count: 64, size: Size, seed: 1);
ImageFolderDataset data = ImageFolderDataset.Load(new ImageFolderOptions { Root = imageDirectory, Resolution = Size, Channels = 1 });
if (data.Count != 64 || data.Channels != 1 || data.Height != Size || data.Width != Size)
{
    Console.Error.WriteLine($"FAIL: the image folder dataset read {data.Count} images of {data.Channels}x{data.Height}x{data.Width}");
    return 1;
}

Console.WriteLine($"wrote and loaded {data.Count} PNG images of {data.Height}x{data.Width} as an ImageFolderDataset");
using var init = new Generator(seed: 7);
using var net = new Edm2Denoiser(new Edm2UNetOptions
{
    ImgResolution = Size,
    ImgChannels = 1,
    LabelDim = 0,
    ModelChannels = 16,
    ChannelMult = [1, 2],
    NumBlocks = 1,
    AttentionResolutions = [4],
    ChannelsPerHead = 16,
    LogVarianceChannels = 16,
}, init);

var options = new TrainingOptions
{
    RunDirectory = runDirectory,
    Seed = 1,
    TotalImages = Batch * Steps,
    BatchSize = Batch,
    LearningRate = 0.01,
    LearningRateSchedule = LearningRateScheduleKind.Constant,
};
var losses = new List<double>();
using (var trainer = new DiffusionTrainer(net, new Edm2Loss(net), data, options))
{
    TrainingResult result = trainer.Run(new SynchronousProgress<TrainingProgress>(p => losses.Add(p.Loss)));
    if (!result.Completed || result.ImagesSeen != Batch * Steps || losses.Count != Steps || !losses.All(double.IsFinite))
    {
        Console.Error.WriteLine($"FAIL: training did not complete cleanly ({result}, losses [{string.Join(", ", losses)}])");
        return 1;
    }
}

Console.WriteLine($"trained {Steps} steps of {Batch} images: loss {losses[0]:F4} -> {losses[^1]:F4}");

// The run's newest checkpoint holds the trained network: its average with the network is the network itself.
using var fromCheckpoint = new Edm2Denoiser(net.Options, init);
var run = new TrainingRun(runDirectory);
if (run.LoadLatestNetwork(fromCheckpoint)?.ImagesSeen != Batch * Steps)
{
    Console.Error.WriteLine("FAIL: TrainingRun did not find the checkpoint of the last step");
    return 1;
}

using (MergedStateDict average = StateDictArithmetic.Average([StateDictSource.FromModule(net), StateDictSource.FromModule(fromCheckpoint)]))
{
    float[] merged = average.Tensors["unet.out_conv.weight"].ToArray<float>(), trained = net.UNet.StateDict()["out_conv.weight"].ToArray<float>();
    if (!merged.SequenceEqual(trained))
    {
        Console.Error.WriteLine("FAIL: the average of a network and its own checkpoint is not the network");
        return 1;
    }
}

Console.WriteLine($"found checkpoint {run.Checkpoints.List()[^1].ImagesSeen} through TrainingRun; averaged it with the network (DiffusionCore.Merge)");

net.Eval();
fromCheckpoint.Eval();
double[] sigmas = SigmaSchedules.Karras(8);
using var noise = new PerSampleNoiseSource([11UL, 12UL, 13UL, 14UL]);
Tensor x = Latents.Initial(noise, [SampleCount, 1, Size, Size], sigmas);
IDenoiser guided = new Autoguidance(net, fromCheckpoint, scale: 2.0);     // guide = the same weights: the guided denoiser is D itself
SamplingResult sampled = new HeunSampler().Sample(guided, x, sigmas, noise: noise);
long[] shape = sampled.Samples.Shape;
bool finite = sampled.Samples.IsFinite().All().ToBoolean();
Console.WriteLine($"sampled shape [{string.Join(", ", shape)}] with {sampled.FunctionEvaluations} guided denoiser calls, finite: {finite}");
if (!shape.SequenceEqual(new long[] { SampleCount, 1, Size, Size }) || !finite)
{
    Console.Error.WriteLine("FAIL: the samples have the wrong shape or are not finite");
    return 1;
}

// A labelled folder for the walkthrough (docs/walkthrough.md), which eng/package-smoke.sh runs next in its own processes.
WriteLabelledShapes(Path.Combine(runDirectory, "shapes"), perClass: 16, size: Size);
Console.WriteLine("package smoke test: OK");
return 0;

// Two classes of 8-bit grey PNGs under <class>/NNNN.png with a dataset.json (EDM convention): a bright top half or a
// bright bottom half, with random brightness.
static void WriteLabelledShapes(string directory, int perClass, int size)
{
    using var g = new Generator(3);
    using var scope = new TensorScope();
    var labels = new List<string>();
    string[] names = ["top", "bottom"];
    for (int c = 0; c < names.Length; c++)
    {
        Directory.CreateDirectory(Path.Combine(directory, names[c]));
        Tensor rows = Tensor.Arange(size, DType.Float32).Reshape(1, size, 1).Expand(1, size, size);
        Tensor half = (c == 0 ? rows.Lt(size / 2) : rows.Ge(size / 2)).To(DType.Float32);
        for (int i = 0; i < perClass; i++)
        {
            double level = 128 + (127 * Tensor.Rand([1], g).ToSingle());
            Tensor pixels = (half * level).Round().Clamp(0, 255).To(DType.UInt8).Contiguous();
            string file = $"{names[c]}/{i:D4}.png";
            ImageCodec.WritePng(pixels, Path.Combine(directory, file));
            labels.Add($"[\"{file}\", {c}]");
        }
    }

    File.WriteAllText(Path.Combine(directory, "dataset.json"), $"{{\"labels\": [{string.Join(", ", labels)}]}}");
}

// Writes synthetic 8-bit grey PNGs (random diagonal gradients, so there is something to learn).
static void WriteSyntheticImages(string directory, int count, int size, ulong seed)
{
    Directory.CreateDirectory(directory);
    using var g = new Generator(seed);
    using var scope = new TensorScope();
    Tensor ramp = Tensor.Arange(size, DType.Float32) * (2.0 / (size - 1)) - 1;          // [size] in [−1, 1]
    Tensor diagonal = (ramp.Reshape(1, 1, size, 1) + ramp.Reshape(1, 1, 1, size)) * 0.5;
    Tensor images = diagonal * (Tensor.Rand([count, 1, 1, 1], g) * 2 - 1);              // [count, 1, size, size]
    Tensor pixels = ((images + 1) * 127.5).Round().Clamp(0, 255).To(DType.UInt8);
    for (int i = 0; i < count; i++)
    {
        ImageCodec.WritePng(pixels[i], Path.Combine(directory, $"{i:D3}.png"));
    }
}
