using DiffusionCore.Data.Imaging;
using DiffusionCore.Guidance;
using DiffusionCore.Labels;
using DiffusionCore.Models;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Sampling;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Generation.Tests;

public sealed class GenerationPipelineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dc-generation-").FullName;
    private readonly TensorScope _scope = new();

    public void Dispose()
    {
        _scope.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static readonly Edm2UNetOptions Tiny = new()
    {
        ImgResolution = 8, ImgChannels = 1, LabelDim = 3, ModelChannels = 16, ChannelMult = [1, 2], NumBlocks = 1, AttentionResolutions = [], ChannelsPerHead = 8,
    };

    private string SaveEdm2(Edm2UNetOptions options)
    {
        using var g = new Generator(11);
        using var model = new Edm2Denoiser(options, g);
        string path = Path.Combine(_dir, "edm2.safetensors");
        ModelFile.Save(model, path, emaSigmaRel: 0.1);
        return path;
    }

    [Fact]
    public void One_call_from_a_file_equals_the_hand_composed_guided_sampling_bit_for_bit_and_writes_the_grid()
    {
        string path = SaveEdm2(Tiny);
        ulong[] seeds = [3, 4, 5, 6];
        int[] classes = [0, 1, 2, 1];
        var batching = new SamplingBatchOptions { BatchSize = 2 };
        string grid = Path.Combine(_dir, "out", "grid.png");

        using GenerationPipeline pipeline = GenerationPipeline.Load(path);
        GeneratedImages generated = pipeline.WriteGrid(
            new GenerationOptions { Seeds = seeds, Classes = classes, Steps = 4, GuidanceScale = 2, Batching = batching }, grid, columns: 2);

        // The same thing by hand, with the old explicit API and one-hot labels.
        using var g = new Generator(11);
        using var model = new Edm2Denoiser(Tiny, g);
        model.LoadStateDict(path);
        model.Eval();
        double[] sigmas = SigmaSchedules.Karras(4, 0.002, 80);
        var cfg = new ClassifierFreeGuidance(model, 2, Unconditional.ZeroClassLabels());
        Tensor labels = Tensor.FromArray(classes.Select(c => (long)c).ToArray()).OneHot(3).To(DType.Float32);
        BatchedSamplingResult expected = new HeunSampler().Generate(cfg, seeds, [1, 8, 8], sigmas, Conditioning.FromClassLabels(labels), batching);

        generated.Sigmas.Should().Equal(sigmas);
        generated.Images.Shape.Should().Equal(4, 1, 8, 8);
        generated.Images.ToArray<float>().Should().Equal(expected.Samples.ToArray<float>());
        ImageCodec.DecodeFile(grid).Shape.Should().Equal(1, (2 * 10) + 2, (2 * 10) + 2);
        ImageGrid.Tile(generated.Images, 2).ToArray<byte>().Should().Equal(ImageCodec.DecodeFile(grid).ToArray<byte>());
    }

    [Fact]
    public void A_dit_gets_int64_classes_and_its_null_label()
    {
        using var g = new Generator(2);
        using var dit = new DiffusionTransformer(new DiTOptions { InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 32, Depth = 1, NumHeads = 2, NumClasses = 3 }, g);
        dit.Eval();
        var pipeline = new GenerationPipeline(DiTDenoisers.EpsilonPrediction(dit), [1, 8, 8], sigmaMin: 0.01);
        pipeline.ClassLabels.Should().Be(new ClassLabelSpec(3, ClassLabelFormat.Indices));
        GeneratedImages images = pipeline.Generate(new GenerationOptions { Seeds = [1, 2], Classes = [2, 0], Steps = 3, GuidanceScale = 1.5 });
        images.Images.Shape.Should().Equal(2, 1, 8, 8);
        images.Images.ToArray<float>().Should().OnlyContain(v => float.IsFinite(v));
    }

    [Fact]
    public void Mismatched_requests_are_clear_errors()
    {
        using GenerationPipeline pipeline = GenerationPipeline.Load(SaveEdm2(Tiny));
        GenerationOptions Request(int[]? classes, double scale = 1) => new() { Seeds = [1, 2], Classes = classes, Steps = 2, GuidanceScale = scale };

        FluentActions.Invoking(() => pipeline.Generate(Request([0]))).Should().Throw<ArgumentException>().WithMessage("*one class per seed: 1 classes for 2 seeds*");
        FluentActions.Invoking(() => pipeline.Generate(Request([0, 3]))).Should().Throw<ArgumentException>().WithMessage("*Class 3 is outside [0, 3)*");
        FluentActions.Invoking(() => pipeline.Generate(Request(null, 2))).Should().Throw<ArgumentException>().WithMessage("*no Classes*");
        FluentActions.Invoking(() => pipeline.Generate(Request([0, 1], 2) with { Guidance = (d, _) => d })).Should().Throw<ArgumentException>().WithMessage("*either GuidanceScale*or a Guidance decorator*");
    }

    [Fact]
    public void An_unconditional_network_refuses_classes_and_guidance_scale()
    {
        using GenerationPipeline pipeline = GenerationPipeline.Load(SaveEdm2(Tiny with { LabelDim = 0 }));
        pipeline.ClassLabels.Should().BeNull();
        FluentActions.Invoking(() => pipeline.Generate(new GenerationOptions { Seeds = [1], Classes = [0], Steps = 2 }))
            .Should().Throw<ArgumentException>().WithMessage("*takes no class labels*");
        FluentActions.Invoking(() => pipeline.Generate(new GenerationOptions { Seeds = [1], Steps = 2, GuidanceScale = 2 }))
            .Should().Throw<ArgumentException>().WithMessage("*classifier-free guidance needs a class-conditional network*Autoguidance*");
        pipeline.Generate(new GenerationOptions { Seeds = [1], Steps = 2 }).Images.Shape.Should().Equal(1, 1, 8, 8);
    }
}
