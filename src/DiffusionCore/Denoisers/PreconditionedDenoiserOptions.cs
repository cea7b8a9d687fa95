using DiffusionCore.Torch;

namespace DiffusionCore.Denoisers;

/// <summary>Options of a <see cref="PreconditionedDenoiser"/>.</summary>
public sealed record PreconditionedDenoiserOptions
{
    /// <summary>
    /// The dtype of the preconditioning arithmetic and of the network input (float32, as in the EDM reference, even
    /// when the sampler loop runs in float64). The result is returned in the dtype of x.
    /// </summary>
    public DType ComputeDType { get; init; } = DType.Float32;

    /// <summary>
    /// For networks with a learned variance (ADM, DiT: output channels = 2C holding [ε, variance]): keep only the first
    /// half of the output channels (dimension 1).
    /// </summary>
    public bool DiscardLearnedVariance { get; init; }

    /// <summary>Throws when an option is invalid.</summary>
    public void Validate()
    {
        if (!ComputeDType.IsFloatingPoint())
        {
            throw new ArgumentException($"ComputeDType must be a floating-point dtype; got {ComputeDType}.", nameof(ComputeDType));
        }
    }
}
