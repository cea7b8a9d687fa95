using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;

namespace DiffusionCore.Benchmarks;

/// <summary>conv2d forward + backward on a [32, 64, 32, 32] input, one TensorScope per step.</summary>
[Config(typeof(BenchConfigs.Conv))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime; [GlobalCleanup] disposes the workload.")]
public class Conv2dBenchmarks
{
    private Conv2dWorkload? _work;

    [GlobalSetup]
    public void Setup()
    {
        BenchEnvironment.Apply();
        _work = new Conv2dWorkload();
    }

    [GlobalCleanup]
    public void Cleanup() => _work?.Dispose();

    /// <summary>Clear grad, conv2d(x, w, b, padding 1), sum, backward.</summary>
    [Benchmark]
    public void ForwardBackward() => _work!.Step();
}
