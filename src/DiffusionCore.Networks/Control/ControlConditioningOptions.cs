using DiffusionCore.Control;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Control;

/// <summary>
/// The control-metadata path of a network (Berrada et al. 2024, "On improved conditioning mechanisms and pre-training
/// strategies for diffusion models"; docs/recipes.md §6, docs/control-conditioning.md): a vector of M control values
/// per sample (crop box, flip flag, original size…, <see cref="ConditioningKeys.ControlMetadata"/> <c>[B, M]</c>) is
/// embedded by its own MLP (<see cref="ControlEmbedder"/>) and enters the network's embedding separately from the
/// semantic (class) embedding, multiplied by the gate g(σ). Networks build it only when their options set it (null,
/// the default, leaves the network and its reference parity unchanged).
/// </summary>
public sealed record ControlConditioningOptions
{
    /// <summary>M, the number of control values per sample (≥ 1); booleans are values 0/1.</summary>
    public int Width { get; init; }

    /// <summary>F, the sinusoidal frequencies per control value: features v, sin(2^k·π·v), cos(2^k·π·v), k &lt; F (default 4).</summary>
    public int Frequencies { get; init; } = 4;

    /// <summary>
    /// The gate g(σ) (default: <see cref="CosineControlGate"/> with its defaults; <see cref="ConstantControlGate.Summed"/> is
    /// the ungated sum). Model files store it with its kind and parameters; a gate type of your own must be registered
    /// with <see cref="ControlGateRegistry.Register{TGate}"/> before saving and loading.
    /// </summary>
    public IControlGate Gate { get; init; } = new CosineControlGate();

    /// <summary>
    /// Converts the network's noise labels c_noise <c>[B]</c> to σ for the gate. Null (default) uses the network
    /// family's usual preconditioning: σ = exp(4·c_noise) for the EDM/EDM2 UNets (EDM preconditioning,
    /// c_noise = ln(σ)/4) and the DDPM linear schedule's σ(t) for DiT (DiTDenoisers). A UNet trained with VP or VE
    /// preconditioning needs <see cref="ControlNoiseLabels.VpTime"/> or <see cref="ControlNoiseLabels.VeLogHalfSigma"/>:
    /// with the default its gate would read the wrong σ. The named conversions of <see cref="ControlNoiseLabels"/> are
    /// stored in model files by name; a custom function cannot be stored: saving such a network as one throws.
    /// </summary>
    public Func<Tensor, Tensor>? SigmaFromNoiseLabel { get; init; }

    /// <summary>
    /// EDM2 only: the largest weight t of the control embedding in the magnitude-preserving sum
    /// <c>mp_sum(emb, control, t·g(σ))</c> (Karras et al. 2024, Eq. 88 form; default 0.5).
    /// </summary>
    public double Balance { get; init; } = 0.5;

    /// <summary>The number of features per sample fed to the MLP, M·(1 + 2F).</summary>
    public int FeatureWidth => Width * (1 + (2 * Frequencies));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Width < 1)
        {
            throw new ArgumentException($"ControlConditioningOptions.Width must be the number of control values per sample (≥ 1); got {Width}.", nameof(Width));
        }

        if (Frequencies is < 0 or > 16)
        {
            throw new ArgumentException($"ControlConditioningOptions.Frequencies must be in [0, 16]; got {Frequencies}.", nameof(Frequencies));
        }

        ArgumentNullException.ThrowIfNull(Gate, nameof(Gate));
        if (!(Balance is > 0 and <= 1))
        {
            throw new ArgumentException($"ControlConditioningOptions.Balance must be in (0, 1]; got {Balance}.", nameof(Balance));
        }
    }
}
