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

    /// <summary>The command-line spellings (<c>--precision</c>, <c>--versus</c> of <c>edm2-step</c>).</summary>
    public static IReadOnlyList<(string Name, StepPrecision Value)> Names { get; } =
        [("fp32", StepPrecision.Float32), ("bf16", StepPrecision.BFloat16Matmul), ("autocast", StepPrecision.Autocast)];
}
