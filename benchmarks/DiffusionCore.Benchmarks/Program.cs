using BenchmarkDotNet.Running;
using DiffusionCore.Benchmarks.Compare;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// Entry point. <c>--compare [options]</c> runs the Stopwatch-based runner whose table matches
/// benchmarks/python/bench_torch.py (see benchmarks/run-comparison.sh); <c>--edm2-step [steps] [warmup]</c>
/// times EDM2 UNet training steps and prints peak RSS; <c>--safetensors-load [MiB] [rounds]</c> times whole-file loads
/// (<see cref="SafeTensorsLoadRunner"/>); anything else goes to BenchmarkDotNet's
/// switcher, e.g. <c>-- --filter '*'</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "--compare")
        {
            return CompareRunner.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--edm2-generate")
        {
            return Edm2GenerateRunner.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--edm2-sample")
        {
            return Edm2SampleRunner.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--safetensors-load")
        {
            return SafeTensorsLoadRunner.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--edm2-step")
        {
            return Edm2StepRunner.Run(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
