using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks.Compare;

/// <summary>
/// Stopwatch-based runner printing the same table as benchmarks/python/bench_torch.py, so that
/// benchmarks/run-comparison.sh measures both sides with one method and one statistic (median of repeats).
/// </summary>
internal static class CompareRunner
{
    private const double MicrosecondsPerSecond = 1e6;
    private const double MillisecondsPerSecond = 1e3;

    public static Command CreateCommand()
    {
        var command = new Command("compare", "the small-op and conv2d timings of benchmarks/python/bench_torch.py (same flags), as one table");
        command.Aliases.Add("--compare");
        Func<ParseResult, CompareOptions> options = CompareOptions.AddTo(command);
        command.SetAction(p => Run(options(p)));
        return command;
    }

    private static int Run(CompareOptions o)
    {
        Environment.SetEnvironmentVariable(BenchEnvironment.ThreadsVariable, o.Threads.ToString(CultureInfo.InvariantCulture));
        int threads = BenchEnvironment.Apply();

        var rows = new List<Measurement>();
        using (var small = new SmallOpWorkload())
        {
            rows.Add(Small("add_f32x16", small.Add, o));
            rows.Add(Small("add_f32x16_scope", small.AddInScope, o));
            rows.Add(Small("mul_scalar_f32x16", small.MulScalar, o));
            rows.Add(Small("handle_roundtrip", small.HandleRoundTrip, o));
            rows.Add(Small("native_call_floor", () => SmallOpWorkload.NativeCallFloor(), o));
        }

        if (!o.SkipConv)
        {
            using var conv = new Conv2dWorkload();
            rows.Add(Measure.Run("conv2d_fwd_bwd", conv.Step, o.ConvWarmup, 1, o.ConvRepeats, "ms/step", MillisecondsPerSecond));
        }

        string header = string.Create(
            CultureInfo.InvariantCulture,
            $"# side=dotnet runtime={RuntimeInformation.FrameworkDescription.Replace(' ', '-')} libtorch={TorchLib.Version} threads={threads} statistic=median");
        ResultTable.Print(header, rows);
        return 0;
    }

    private static Measurement Small(string name, Action call, CompareOptions o) =>
        Measure.Run(name, call, o.Warmup, o.Inner, o.Repeats, "us/op", MicrosecondsPerSecond);
}
