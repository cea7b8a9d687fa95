using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks;

/// <summary>How a benchmarked step computes: float32, bfloat16 products with float32 elsewhere, or libtorch autocast.</summary>
public enum StepPrecision
{
    /// <summary>Everything in float32.</summary>
    Float32,

    /// <summary><see cref="MatmulPrecisionScope"/>: convolutions, linear layers and attention products in bfloat16.</summary>
    BFloat16Matmul,

    /// <summary><see cref="AutocastScope"/>: libtorch CPU autocast to bfloat16 (outputs of products stay bfloat16).</summary>
    Autocast,
}

internal static class StepPrecisionExtensions
{
    public static IDisposable? Enter(this StepPrecision p) => p switch
    {
        StepPrecision.BFloat16Matmul => new MatmulPrecisionScope(DType.BFloat16),
        StepPrecision.Autocast => new AutocastScope(DeviceType.Cpu, DType.BFloat16),
        _ => null,
    };

    public static StepPrecision Parse(string s) => s switch
    {
        "fp32" or "float32" => StepPrecision.Float32,
        "bf16" => StepPrecision.BFloat16Matmul,
        "autocast" => StepPrecision.Autocast,
        _ => throw new ArgumentException($"A step precision (--precision, --versus) must be fp32, bf16 or autocast, not '{s}'."),
    };
}
