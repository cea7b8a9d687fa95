using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// One EDM2 UNet training step (forward + backward, training mode so forced weight normalisation runs). The benchmark
/// configuration (<see cref="Options"/>): RGB 32² (3 channels), unconditional, model channels 64, channel mult
/// [1, 2, 2], 2 blocks per level, attention at 16², batch 32. The main job's network (<see cref="MainJobOptions"/>):
/// grey 32², 10 classes, channels 32, mult [1, 2, 2], 1 block, attention at 8², batch 64. out_gain is set to 1 so every
/// parameter receives a non-zero gradient; loss sum((F − target)²). Gradients are cleared (set to none) at the start
/// of every step and one <see cref="TensorScope"/> frees the step's tensors. Shared by the BenchmarkDotNet class and
/// the <c>edm2-step</c> runner.
/// </summary>
internal sealed class Edm2UNetWorkload : IDisposable
{
    public const int Batch = 32;

    /// <summary>The main job's network (samples/DiffusionCore.Samples.FashionMnist, default options).</summary>
    public static readonly Edm2UNetOptions MainJobOptions = new()
    {
        ImgResolution = 32,
        ImgChannels = 1,
        LabelDim = 10,
        ModelChannels = 32,
        ChannelMult = [1, 2, 2],
        NumBlocks = 1,
        AttentionResolutions = [8],
        Dropout = 0,
    };

    /// <summary>The main job's batch size.</summary>
    public const int MainJobBatch = 64;

    public static readonly Edm2UNetOptions Options = new()
    {
        ImgResolution = 32,
        ImgChannels = 3,
        LabelDim = 0,
        ModelChannels = 64,
        ChannelMult = [1, 2, 2],
        NumBlocks = 2,
        AttentionResolutions = [16],
    };

    private readonly Generator _generator;
    private readonly Edm2UNet _unet;
    private readonly Tensor _input;
    private readonly Tensor _noiseLabels;
    private readonly Tensor _target;
    private readonly Tensor? _classLabels;
    private readonly StepPrecision _precision;

    public Edm2UNetWorkload(bool mainJob = false, StepPrecision precision = StepPrecision.Float32, bool channelsLast = false)
    {
        _precision = precision;
        Edm2UNetOptions o = mainJob ? MainJobOptions : Options;
        BatchSize = mainJob ? MainJobBatch : Batch;
        Description = mainJob
            ? $"main job network 32x32x1 batch {BatchSize} ch 32 mult [1,2,2] blocks 1 attn 8, 10 classes"
            : $"benchmark configuration 32x32x3 batch {BatchSize} ch 64 mult [1,2,2] blocks 2 attn 16";
        _generator = new Generator(BenchEnvironment.Seed);
        _unet = new Edm2UNet(o, _generator);
        using (new NoGradScope())
        {
            _unet.OutGain.FillInPlace(1);
        }

        _unet.Train();
        _input = Tensor.Randn([BatchSize, o.ImgChannels, 32, 32], _generator).DetachFromScope();
        if (channelsLast)
        {
            using var layoutScope = new TensorScope();
            Tensor cl = _input.Contiguous(MemoryFormat.ChannelsLast).DetachFromScope();
            _input.Dispose();
            _input = cl;
        }

        _noiseLabels = Tensor.Randn([BatchSize], _generator).DetachFromScope();
        _target = Tensor.Randn([BatchSize, o.ImgChannels, 32, 32], _generator).DetachFromScope();
        if (o.LabelDim > 0)
        {
            using var labelScope = new TensorScope();
            _classLabels = Tensor.RandInt(0, o.LabelDim, [BatchSize], _generator).OneHot(o.LabelDim).To(DType.Float32).DetachFromScope();
        }
    }

    public int BatchSize { get; }

    public string Description { get; }

    public long ParameterCount => _unet.NumParameters();

    /// <summary>Clears gradients, runs forward and backward of sum((F − target)²).</summary>
    public void Step()
    {
        using var scope = new TensorScope();
        _unet.ZeroGrad();
        Tensor loss;
        using (_precision.Enter())
        {
            Tensor f = _unet.Forward(_input, _noiseLabels, _classLabels);
            loss = f.Sub(_target).Square().Sum();
        }

        loss.Backward();
    }

    public void Dispose()
    {
        _unet.Dispose();
        _input.Dispose();
        _noiseLabels.Dispose();
        _target.Dispose();
        _classLabels?.Dispose();
        _generator.Dispose();
    }
}
