using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>Options shared by every sampler.</summary>
public abstract record SamplerOptions
{
    /// <summary>
    /// The dtype of the sampler state: float32 (default) or float64 (the EDM reference runs its loop in float64).
    /// The denoiser sees x and σ in this dtype; the result is returned in the dtype of the initial x.
    /// </summary>
    public DType StateDType { get; init; } = DType.Float32;

    /// <summary>Run under <see cref="InferenceModeScope"/> (default): no autograd graph. Turn off for gradient-based guidance.</summary>
    public bool UseInferenceMode { get; init; } = true;

    /// <summary>
    /// Precision of the products (convolutions, linear layers, attention) inside every denoiser call:
    /// <see cref="ComputePrecision.Auto"/> (default) uses bfloat16 products with float32 inputs and outputs on a CPU
    /// with native bfloat16 (AMX or AVX512-BF16), float32 elsewhere. The sampler's own arithmetic (the ODE/SDE steps,
    /// in <see cref="StateDType"/>) is unaffected, and so are denoisers whose operands are not float32.
    /// </summary>
    public ComputePrecision Precision { get; init; } = ComputePrecision.Auto;

    /// <summary>Throws <see cref="ArgumentException"/> when an option is invalid.</summary>
    public virtual void Validate()
    {
        if (!Enum.IsDefined(Precision))
        {
            throw new ArgumentException($"Precision {Precision} is not one of {string.Join(", ", Enum.GetNames<ComputePrecision>())}.", nameof(Precision));
        }

        if (StateDType is not (DType.Float32 or DType.Float64))
        {
            throw new ArgumentException($"StateDType must be Float32 or Float64; got {StateDType}.", nameof(StateDType));
        }
    }
}
