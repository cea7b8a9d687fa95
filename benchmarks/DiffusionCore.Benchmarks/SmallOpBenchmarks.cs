using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;

namespace DiffusionCore.Benchmarks;

/// <summary>One small elementwise op round trip (call, result handle, dispose) on 16-element float32 tensors.</summary>
[Config(typeof(BenchConfigs.SmallOp))]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime; [GlobalCleanup] disposes the workload.")]
public class SmallOpBenchmarks
{
    private SmallOpWorkload? _work;

    [GlobalSetup]
    public void Setup()
    {
        BenchEnvironment.Apply();
        _work = new SmallOpWorkload();
    }

    [GlobalCleanup]
    public void Cleanup() => _work?.Dispose();

    /// <summary><c>using var c = a.Add(b);</c></summary>
    [Benchmark(Baseline = true)]
    public void Add() => _work!.Add();

    /// <summary><c>using (new TensorScope()) a.Add(b);</c></summary>
    [Benchmark]
    public void AddInScope() => _work!.AddInScope();

    /// <summary><c>using var c = a.Mul(2.0);</c></summary>
    [Benchmark]
    public void MulScalar() => _work!.MulScalar();

    /// <summary><c>using var c = a.Alias();</c>: handle round trip without the dispatcher or a kernel.</summary>
    [Benchmark]
    public void HandleRoundTrip() => _work!.HandleRoundTrip();

    /// <summary>A blittable P/Invoke that does no tensor work.</summary>
    [Benchmark]
    public long NativeCallFloor() => SmallOpWorkload.NativeCallFloor();
}
