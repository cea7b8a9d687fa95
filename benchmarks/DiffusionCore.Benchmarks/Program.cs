using System.CommandLine;
using System.CommandLine.Invocation;
using BenchmarkDotNet.Running;
using DiffusionCore.Benchmarks.Compare;
using DiffusionCore.Samples.Cli;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// Entry point. The subcommands <c>compare</c> (the Stopwatch-based runner whose table matches
/// benchmarks/python/bench_torch.py, see benchmarks/run-comparison.sh), <c>edm2-step</c>, <c>edm2-sample</c>,
/// <c>edm2-generate</c>, <c>image-codecs</c> (PNG/JPEG decoding, encoding and an image-folder load) and
/// <c>safetensors-load</c> (whole-file loads, <see cref="SafeTensorsLoadRunner"/>) and <c>ddp-step</c> (data-parallel
/// trainer steps, under eng/launch.sh), each also spelled with a leading <c>--</c>, are parsed by System.CommandLine; any
/// other arguments go to BenchmarkDotNet's switcher, e.g. <c>-- --filter '*'</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = new RootCommand("DiffusionCore benchmarks. Without a command, the arguments go to BenchmarkDotNet's switcher (e.g. --filter '*', --list flat).");
        root.Subcommands.Add(CompareRunner.CreateCommand());
        root.Subcommands.Add(Edm2StepRunner.CreateCommand());
        root.Subcommands.Add(Edm2SampleRunner.CreateCommand());
        root.Subcommands.Add(Edm2GenerateRunner.CreateCommand());
        root.Subcommands.Add(ImageCodecRunner.CreateCommand());
        root.Subcommands.Add(SafeTensorsLoadRunner.CreateCommand());
        root.Subcommands.Add(DataParallelStepRunner.CreateCommand());

        // No subcommand (and no --help or --version): everything is BenchmarkDotNet's.
        ParseResult parsed = root.Parse(args);
        if (parsed.CommandResult.Command == root && parsed.Action is null or ParseErrorAction)
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
            return 0;
        }

        return CommandLineApp.Run(root, args);
    }
}
