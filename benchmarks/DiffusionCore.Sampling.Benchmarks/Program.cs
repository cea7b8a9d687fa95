using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// In-process (the native shim is already next to this assembly); a short job keeps a run to a few minutes.
// Run: dotnet run -c Release --project benchmarks/DiffusionCore.Sampling.Benchmarks -- --filter '*'
IConfig config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(DiffusionCore.Sampling.Benchmarks.SamplerOverheadBenchmarks).Assembly).Run(args, config);
