using DiffusionCore.Denoisers;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Training.Masking;

/// <summary>
/// A patch-token network (DiT, U-ViT) as an <see cref="IUncertaintyDenoiser"/>, so that the EDM2 loss with learned
/// uncertainty (Karras et al. 2024, Eq. 21; <see cref="Losses.Edm2Loss"/>) trains it, masked or not (MaskDM, Lei et al.
/// 2023; docs/maskdm.md). The denoiser is <c>D(x; σ) = c_skip·x + c_out·F(c_in·x; c_noise)</c> with the given
/// preconditioning, F routed to its kept-token forward pass by <see cref="MaskedTokenNetwork"/>; the uncertainty is
/// EDM2's head: <c>u(σ) = w · √2·cos(2π(f·ln(σ)/4 + φ))</c> with fixed random frequencies f ~ N(0, 1) and phases
/// φ ~ U[0, 1) (buffers <c>logvar_fourier.freqs</c>, <c>logvar_fourier.phases</c>, as EDM2's MPFourier) and a learned
/// weight <c>logvar_linear.weight</c> [1, C], zero at the start (EDM2 normalises this weight; here it is a plain linear
/// layer). The network's parameters are under <c>net.</c>; it passes the trainer's kept-token check by delegation.
/// </summary>
public sealed class MaskedUncertaintyDenoiser : Module, IUncertaintyDenoiser, IKeptTokenNetwork
{
    private readonly IKeptTokenNetwork _network;
    private readonly PreconditionedDenoiser _denoiser;
    private readonly FourierFeatures _logvarFourier;
    private readonly Linear _logvarLinear;

    /// <summary>Wraps <paramref name="network"/> (a <see cref="Module"/> with a kept-token forward pass).</summary>
    /// <param name="network">The patch-token network F.</param>
    /// <param name="preconditioning">The preconditioning, e.g. <see cref="EdmPreconditioning"/>.</param>
    /// <param name="generator">The generator of the fixed Fourier frequencies and phases.</param>
    /// <param name="channels">Fourier features of the uncertainty head (EDM2: 128).</param>
    /// <exception cref="ArgumentException">The network is not a module with a kept-token forward pass.</exception>
    public MaskedUncertaintyDenoiser(Module network, Preconditioning preconditioning, Generator generator, int channels = 128)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(preconditioning);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        _network = network as IKeptTokenNetwork ?? throw new ArgumentException(
            $"{network.GetType().Name} has no kept-token forward pass (IKeptTokenNetwork: DiffusionTransformer, UViTNetwork).", nameof(network));
        Device device = network.Parameters().FirstOrDefault()?.Device ?? Device.Cpu;
        RegisterModule("net", network);
        _logvarFourier = RegisterModule("logvar_fourier", new FourierFeatures(channels, generator, device));
        _logvarLinear = RegisterModule("logvar_linear", new Linear(channels, 1, bias: false, generator: generator, device: device));
        Init.Zeros(_logvarLinear.Weight);
        _denoiser = new PreconditionedDenoiser(new MaskedTokenNetwork(_network), preconditioning);
    }

    /// <inheritdoc />
    public int PatchSize => _network.PatchSize;

    /// <inheritdoc />
    public int GridSize => _network.GridSize;

    /// <inheritdoc />
    public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning) => _denoiser.Denoise(x, sigma, conditioning);

    /// <summary>The learned log-variance u(σ) per sample, <c>[B, 1, 1, 1]</c>, float32.</summary>
    public Tensor LogVariance(Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        using var scope = new TensorScope();
        Tensor features = _logvarFourier.Forward(sigma.To(DType.Float32).Log().Div(4.0));
        return _logvarLinear.Forward(features).Reshape(-1, 1, 1, 1).MoveToOuterScope();
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning) => _network.Forward(input, noiseLabels, conditioning);

    /// <inheritdoc />
    public Tensor ForwardKept(Tensor input, Tensor noiseLabels, Conditioning conditioning, Tensor keptTokens) =>
        _network.ForwardKept(input, noiseLabels, conditioning, keptTokens);

    /// <summary>EDM2's Fourier features of c_noise: <c>√2·cos(2π(f·x + φ))</c> with fixed buffers <c>freqs</c> and <c>phases</c>.</summary>
    private sealed class FourierFeatures : Module
    {
        public FourierFeatures(int channels, Generator generator, Device device)
        {
            RegisterBuffer("freqs", Tensor.Randn([channels], generator, DType.Float32, device));
            RegisterBuffer("phases", Tensor.Rand([channels], generator, DType.Float32, device));
        }

        public Tensor Forward(Tensor x)
        {
            using var scope = new TensorScope();
            Tensor y = x.Unsqueeze(1).Mul(GetBuffer("freqs")!.Unsqueeze(0)).Add(GetBuffer("phases")!.Unsqueeze(0));
            return y.Mul(2 * Math.PI).Cos().Mul(Math.Sqrt(2)).MoveToOuterScope();
        }
    }
}
