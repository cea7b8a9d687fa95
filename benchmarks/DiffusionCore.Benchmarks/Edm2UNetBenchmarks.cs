using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// EDM2 UNet forward + backward (Karras et al. 2024) at 32² RGB, batch 32, model channels 64, mult [1, 2, 2],
/// 2 blocks, attention at 16² (<see cref="Edm2UNetWorkload"/>). Peak RSS is not available from BenchmarkDotNet: use
/// <c>--edm2-step</c> (<see cref="Edm2StepRunner"/>).
/// </summary>
[Config(typeof(BenchConfigs.Conv))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime; [GlobalCleanup] disposes the workload.")]
public class Edm2UNetBenchmarks
{
    private Edm2UNetWorkload? _work;

    [GlobalSetup]
    public void Setup()
    {
        BenchEnvironment.Apply();
        _work = new Edm2UNetWorkload();
    }

    [GlobalCleanup]
    public void Cleanup() => _work?.Dispose();

    /// <summary>One training step of the UNet.</summary>
    [Benchmark]
    public void ForwardBackward() => _work!.Step();
}
