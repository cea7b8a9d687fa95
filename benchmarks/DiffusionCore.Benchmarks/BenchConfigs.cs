using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// Short, explicit jobs for a small (2-core) machine: one launch, a few warm-up and measured iterations, memory
/// diagnoser on. Increase the counts for publication-quality numbers on a quiet machine.
/// </summary>
internal static class BenchConfigs
{
    /// <summary>Microsecond-scale ops: BenchmarkDotNet picks the invocation count per iteration (pilot stage).</summary>
    public sealed class SmallOp : ManualConfig
    {
        public SmallOp()
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(15).WithId("Short-2core"));
            AddDiagnoser(MemoryDiagnoser.Default);
        }
    }

    /// <summary>Tens-of-milliseconds steps: fewer iterations, each still about BenchmarkDotNet's default 0.5 s.</summary>
    public sealed class Conv : ManualConfig
    {
        public Conv()
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(8).WithId("Short-2core"));
            AddDiagnoser(MemoryDiagnoser.Default);
        }
    }
}
