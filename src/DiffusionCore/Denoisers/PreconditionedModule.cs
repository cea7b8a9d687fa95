using DiffusionCore.Labels;
using DiffusionCore.Models;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Denoisers;

/// <summary>
/// A raw network wrapped as a trainable denoiser module, <c>D(x; σ) = c_skip(σ)·x + c_out(σ)·F(c_in(σ)·x; c_noise(σ))</c>
/// (Karras et al. 2022, Eq. 7 and Table 1), with the network registered as the child <c>model</c> so the state-dict keys
/// are those of the EDM reference preconditioners (<c>model.enc.16x16_conv.weight</c>, …). Any network family fits
/// (SongUNet, DhariwalUNet, DiT, a user's own), so training a DiT with the EDM losses needs nothing from a network
/// family's namespace. The coefficients come from a <see cref="Preconditioning"/> and the arithmetic is the
/// <see cref="PreconditionedDenoiser"/>'s; this class adds module ownership (parameters, state dict, train/eval), the
/// network's class-label input (<see cref="IClassConditioned"/>) and its model-file description
/// (<see cref="IDescribedModel"/>, when the network describes itself).
/// </summary>
/// <typeparam name="TNetwork">The raw network.</typeparam>
public class PreconditionedModule<TNetwork> : Module, IDenoiser, IClassConditioned, IDescribedModel
    where TNetwork : Module, IDiffusionNetwork
{
    private readonly PreconditionedDenoiser _denoiser;

    /// <summary>Wraps <paramref name="model"/>; the wrapper owns it from now on (disposing the wrapper disposes it).</summary>
    /// <param name="model">The raw network F.</param>
    /// <param name="preconditioning">The preconditioning whose coefficients define D.</param>
    /// <param name="options">Compute dtype and learned-variance handling (float32 by default, as the reference).</param>
    public PreconditionedModule(TNetwork model, Preconditioning preconditioning, PreconditionedDenoiserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(preconditioning);
        Model = RegisterModule("model", model);
        _denoiser = new PreconditionedDenoiser(model, preconditioning, options);
    }

    /// <summary>The raw network F (state-dict prefix <c>model.</c>).</summary>
    public TNetwork Model { get; }

    /// <summary>The preconditioning.</summary>
    public Preconditioning Preconditioning => _denoiser.Preconditioning;

    /// <summary>The denoiser options.</summary>
    public PreconditionedDenoiserOptions Options => _denoiser.Options;

    /// <summary>The smallest supported noise level (Karras et al. 2022, Table 1).</summary>
    public double SigmaMin => Preconditioning.SigmaMin;

    /// <summary>The largest supported noise level (Karras et al. 2022, Table 1).</summary>
    public double SigmaMax => Preconditioning.SigmaMax;

    /// <summary>The class-label input of the network (<see cref="IClassConditioned"/>), or null.</summary>
    public ClassLabelSpec? ClassLabelSpec => _denoiser.ClassLabelSpec;

    /// <summary>The nearest representable noise level (identity except for discrete preconditionings such as iDDPM).</summary>
    public double RoundSigma(double sigma) => Preconditioning.RoundSigma(sigma);

    /// <summary>Evaluates <c>D(x; σ)</c> (Karras et al. 2022, Eq. 7); the conditioning is passed to the network.</summary>
    /// <param name="x">Noisy images <c>[B, C, H, W]</c>.</param>
    /// <param name="sigma">One noise level per sample <c>[B]</c>.</param>
    /// <param name="conditioning">Class/augmentation labels (<see cref="Conditioning.None"/> for none).</param>
    public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning) => _denoiser.Denoise(x, sigma, conditioning);

    /// <summary>The model-file description: the network's family and options, the preconditioning, the class labels.</summary>
    /// <exception cref="InvalidOperationException">The network does not describe itself (<see cref="IDescribedNetwork"/>).</exception>
    public ModelDescription Describe()
    {
        if (Model is not IDescribedNetwork network)
        {
            throw new InvalidOperationException(
                $"{typeof(TNetwork).Name} does not describe its architecture (IDescribedNetwork): implement it and register the family to write self-describing files.");
        }

        return new ModelDescription
        {
            Family = network.Family,
            Options = network.SerializeOptions(),
            SampleShape = network.SampleShape,
            Layout = ModelLayout.PreconditionedNetwork,
            Preconditioning = PreconditioningDescription.From(Preconditioning, Options),
            ClassLabels = ClassLabelSpec,
        };
    }
}
