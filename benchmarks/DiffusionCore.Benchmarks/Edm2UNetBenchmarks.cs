using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// EDM2 UNet forward + backward (Karras et al. 2024) at 32² RGB, batch 32, model channels 64, mult [1, 2, 2],
/// 2 blocks, attention at 16² (<see cref="Edm2UNetWorkload"/>). Peak RSS is not available from BenchmarkDotNet: use
/// <c>edm2-step</c> (<see cref="Edm2StepRunner"/>). Runs in float32 and with bfloat16 products
/// (<see cref="DiffusionCore.Torch.MatmulPrecisionScope"/>), for the speed-up of mixed precision.
/// </summary>
[Config(typeof(BenchConfigs.Conv))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime; [GlobalCleanup] disposes the workload.")]
public class Edm2UNetBenchmarks
{
    private Edm2UNetWorkload? _work;

    /// <summary>float32, or bfloat16 products.</summary>
    [Params(StepPrecision.Float32, StepPrecision.BFloat16Matmul)]
    public StepPrecision Precision { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchEnvironment.Apply();
        _work = new Edm2UNetWorkload(precision: Precision);
        _work.Step(); // oneDNN creates its kernels for these shapes on the first step
    }

    [GlobalCleanup]
    public void Cleanup() => _work?.Dispose();

    /// <summary>One training step of the UNet.</summary>
    [Benchmark]
    public void ForwardBackward() => _work!.Step();
}
