using DiffusionCore.Denoisers;
using DiffusionCore.Labels;
using DiffusionCore.Models;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm2;

/// <summary>
/// The EDM2 preconditioned denoiser with its uncertainty head (Karras et al. 2024, Section 2 and Section 5, Eq. 21):
/// <c>D(x; σ) = c_skip·x + c_out·F(c_in·x; c_noise)</c> with the EDM preconditioning (Karras et al. 2022, Table 1;
/// σ_data = 0.5), computed in float32 by the core <see cref="PreconditionedDenoiser"/>, and the learned log-variance
/// <c>u(σ) = logvar_linear(logvar_fourier(c_noise))</c> used by the EDM2 loss
/// <c>λ(σ)/e^{u(σ)}·‖D − y‖² + u(σ)</c>. State-dict keys: <c>unet.*</c>, <c>logvar_fourier.freqs|phases</c>,
/// <c>logvar_linear.weight</c>, as the reference's <c>Precond</c>, so its exported weights load by name.
/// </summary>
public sealed class Edm2Denoiser : Module, IUncertaintyDenoiser, IClassConditioned, IDescribedModel
{
    private readonly PreconditionedDenoiser _denoiser;
    private readonly MPFourier _logvarFourier;
    private readonly MPConv _logvarLinear;

    /// <summary>
    /// Builds the UNet and the uncertainty head; weights and Fourier buffers are drawn from <paramref name="generator"/>
    /// in the reference's order (UNet, then <c>logvar_fourier</c>, then <c>logvar_linear</c>).
    /// </summary>
    /// <param name="options">The architecture (for example <see cref="Edm2Presets.Img512S"/>); validated here.</param>
    /// <param name="generator">The generator of every initial weight and Fourier buffer.</param>
    /// <param name="device">The device (<see cref="Device.Meta"/> to count parameters without allocating).</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public Edm2Denoiser(Edm2UNetOptions options, Generator generator, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        options.Validate();
        Options = options;
        UNet = RegisterModule("unet", new Edm2UNet(options, generator, device));
        _logvarFourier = RegisterModule("logvar_fourier", new MPFourier(options.LogVarianceChannels, generator, device));
        _logvarLinear = RegisterModule("logvar_linear", MPConv.Linear(options.LogVarianceChannels, 1, generator, device));
        Preconditioning = new EdmPreconditioning(options.SigmaData);
        _denoiser = new PreconditionedDenoiser(UNet, Preconditioning);
    }

    /// <summary>The architecture.</summary>
    public Edm2UNetOptions Options { get; }

    /// <summary>The UNet's class-label input: one-hot rows, the zero row unconditional (<see cref="Edm2UNet.ClassLabelSpec"/>).</summary>
    public ClassLabelSpec? ClassLabelSpec => UNet.ClassLabelSpec;

    /// <summary>The model-file description (family <c>edm2</c>, layout <see cref="ModelLayout.Denoiser"/>, EDM preconditioning).</summary>
    public ModelDescription Describe() => new()
    {
        Family = Edm2UNetOptions.Family,
        Options = Options.ToJson(),
        SampleShape = UNet.SampleShape,
        Layout = ModelLayout.Denoiser,
        Preconditioning = PreconditioningDescription.From(Preconditioning),
        ClassLabels = ClassLabelSpec,
    };

    /// <summary>The raw network F (state-dict prefix <c>unet.</c>).</summary>
    public Edm2UNet UNet { get; }

    /// <summary>The EDM preconditioning with σ_data = <see cref="Edm2UNetOptions.SigmaData"/>.</summary>
    public EdmPreconditioning Preconditioning { get; }

    /// <summary>
    /// <c>D(x; σ)</c> (Karras et al. 2022, Eq. 7) in float32, returned in the dtype of <paramref name="x"/>; class labels
    /// from <see cref="Conditioning.ClassLabels"/> and dropout masks from <see cref="Conditioning.DropoutGenerator"/> as in
    /// <see cref="Edm2UNet.Forward(Tensor, Tensor, Conditioning)"/>.
    /// </summary>
    public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning) => _denoiser.Denoise(x, sigma, conditioning);

    /// <summary>
    /// The uncertainty head <c>u(σ) = logvar_linear(logvar_fourier(ln(σ)/4))</c>, shape <c>[B, 1, 1, 1]</c>, float32
    /// (Karras et al. 2024, Section 5, Eq. 21): the log-variance that weights the per-σ loss.
    /// </summary>
    /// <param name="sigma">One noise level per sample, <c>[B]</c>.</param>
    public Tensor LogVariance(Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        using var scope = new TensorScope();
        PreconditioningCoefficients c = Preconditioning.Coefficients(sigma.To(DType.Float32));
        Tensor u = _logvarLinear.Forward(_logvarFourier.Forward(c.CNoise));
        return u.Reshape(-1, 1, 1, 1).MoveToOuterScope();
    }
}
