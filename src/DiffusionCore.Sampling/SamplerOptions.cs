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

    /// <summary>Throws <see cref="ArgumentException"/> when an option is invalid.</summary>
    public virtual void Validate()
    {
        if (StateDType is not (DType.Float32 or DType.Float64))
        {
            throw new ArgumentException($"StateDType must be Float32 or Float64; got {StateDType}.", nameof(StateDType));
        }
    }
}
