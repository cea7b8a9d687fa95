namespace DiffusionCore.Torch;

/// <summary>
/// The precision of a network's matrix products (convolutions, linear layers, attention) during training or sampling.
/// Parameters, optimizer state, elementwise ops, normalisations and losses stay float32 in every mode; see
/// <see cref="MatmulPrecisionScope"/>.
/// </summary>
public enum ComputePrecision
{
    /// <summary>
    /// bfloat16 products on a CPU that multiplies bfloat16 natively (<see cref="Torch.HasNativeBFloat16"/>: AMX-BF16
    /// or AVX512-BF16), float32 everywhere else (CPUs without it, where bfloat16 is emulated and slower, and CUDA
    /// devices, where the choice is left to the caller). The default.
    /// </summary>
    Auto,

    /// <summary>Everything in float32.</summary>
    Float32,

    /// <summary>bfloat16 products with float32 inputs and outputs, on any device.</summary>
    BFloat16,
}

/// <summary>Resolving and entering a <see cref="ComputePrecision"/>.</summary>
public static class ComputePrecisionExtensions
{
    /// <summary>
    /// The dtype products run in on <paramref name="device"/>: <see cref="DType.BFloat16"/> or
    /// <see cref="DType.Float32"/>. <see cref="ComputePrecision.Auto"/> picks bfloat16 only on a CPU device of a
    /// CPU with native bfloat16 support.
    /// </summary>
    public static DType Resolve(this ComputePrecision precision, Device device) => precision switch
    {
        ComputePrecision.Float32 => DType.Float32,
        ComputePrecision.BFloat16 => DType.BFloat16,
        ComputePrecision.Auto => device.Type == DeviceType.Cpu && Torch.HasNativeBFloat16 ? DType.BFloat16 : DType.Float32,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown ComputePrecision."),
    };

    /// <summary>
    /// Reads a command-line spelling: <c>auto</c>; <c>fp32</c> or <c>float32</c>; <c>bf16</c> or <c>bfloat16</c>
    /// (case-insensitive). Returns false (and <see cref="ComputePrecision.Auto"/>) for anything else.
    /// </summary>
    public static bool TryParse(string? text, out ComputePrecision precision)
    {
        precision = text?.ToUpperInvariant() switch
        {
            "AUTO" => ComputePrecision.Auto,
            "FP32" or "FLOAT32" => ComputePrecision.Float32,
            "BF16" or "BFLOAT16" => ComputePrecision.BFloat16,
            _ => (ComputePrecision)(-1),
        };
        if (Enum.IsDefined(precision)) return true;
        precision = default;
        return false;
    }

    /// <summary>
    /// Enters the resolved precision on the calling thread: a <see cref="MatmulPrecisionScope"/> for bfloat16, or a
    /// scope that turns reduced products off for float32 (so an outer scope cannot leak in). Dispose it to restore.
    /// </summary>
    public static MatmulPrecisionScope Enter(this ComputePrecision precision, Device device) =>
        precision.Resolve(device) == DType.BFloat16 ? new MatmulPrecisionScope(DType.BFloat16) : new MatmulPrecisionScope(enabled: false);
}
