using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// One EDM2 UNet training step (forward + backward, training mode so forced weight normalisation runs): RGB 32²
/// (3 channels), unconditional, model channels 64, channel mult [1, 2, 2], 2 blocks per level, attention at 16²,
/// batch 32, out_gain set to 1 so every parameter receives a non-zero gradient; loss sum((F − target)²). Gradients are
/// cleared (set to none) at the start of every step and one <see cref="TensorScope"/> frees the step's tensors. Shared
/// by the BenchmarkDotNet class and the <c>--edm2-step</c> runner.
/// </summary>
internal sealed class Edm2UNetWorkload : IDisposable
{
    public const int Batch = 32;

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

    public Edm2UNetWorkload()
    {
        _generator = new Generator(BenchEnvironment.Seed);
        _unet = new Edm2UNet(Options, _generator);
        using (new NoGradScope())
        {
            _unet.OutGain.FillInPlace(1);
        }

        _unet.Train();
        _input = Tensor.Randn([Batch, 3, 32, 32], _generator).DetachFromScope();
        _noiseLabels = Tensor.Randn([Batch], _generator).DetachFromScope();
        _target = Tensor.Randn([Batch, 3, 32, 32], _generator).DetachFromScope();
    }

    public long ParameterCount => _unet.NumParameters();

    /// <summary>Clears gradients, runs forward and backward of sum((F − target)²).</summary>
    public void Step()
    {
        using var scope = new TensorScope();
        _unet.ZeroGrad();
        Tensor f = _unet.Forward(_input, _noiseLabels, classLabels: null);
        f.Sub(_target).Square().Sum().Backward();
    }

    public void Dispose()
    {
        _unet.Dispose();
        _input.Dispose();
        _noiseLabels.Dispose();
        _target.Dispose();
        _generator.Dispose();
    }
}
