using DiffusionCore.Torch;

namespace DiffusionCore.Merge;

/// <summary>Options of <see cref="StateDictArithmetic"/>.</summary>
public sealed record MergeOptions
{
    /// <summary>
    /// Keys copied from <see cref="MergeTarget.CopyFrom"/> rather than combined, for buffers that are not averaged (fixed
    /// Fourier frequencies, running statistics). Integer and bool tensors are always copied.
    /// </summary>
    public IReadOnlySet<string> CopiedKeys { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The dtype in which weighted sums accumulate and that combined results have (float32 by default).</summary>
    public DType AccumulationDType { get; init; } = DType.Float32;

    /// <summary>Throws when an option is invalid.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message says which.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(CopiedKeys, nameof(CopiedKeys));
        if (!AccumulationDType.IsFloatingPoint())
        {
            throw new ArgumentException($"MergeOptions.AccumulationDType must be floating point (float32 by default); got {AccumulationDType}.", nameof(AccumulationDType));
        }
    }
}
