using System.CommandLine;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks;

/// <summary>The <c>--ops [top]</c> option of the step and sampling runners: an <see cref="OpProfiler"/> table of a workload.</summary>
internal static class OperatorTable
{
    /// <summary>The rows printed for <c>--ops</c> without a number.</summary>
    public const int DefaultTop = 25;

    /// <summary><c>--ops [top]</c>: 0 when absent (no table), <see cref="DefaultTop"/> without a number.</summary>
    public static Option<int> CreateOption(string after) => new("--ops")
    {
        Description = $"then print the top operators (by name, and by name and input shapes) of {after} [rows: {DefaultTop}]",
        HelpName = "top",
        Arity = ArgumentArity.ZeroOrOne,
        DefaultValueFactory = _ => 0,
        CustomParser = r => r.Tokens.Count == 0 ? DefaultTop : TypedOption.ParseNumber<int>("--ops", r, n => n > 0, "must be positive"),
    };

    /// <summary>Runs <paramref name="work"/> <paramref name="repeats"/> times under an operator profile and prints the
    /// top operators by name and by input signature.</summary>
    public static void Print(Action work, int repeats, string unit, int top)
    {
        OpProfileReport report;
        using (var profiler = OpProfiler.Start(recordShapes: true))
        {
            for (int i = 0; i < repeats; i++) work();
            report = profiler.Stop();
        }

        Console.WriteLine($"operators over {repeats} {unit} (observed; times include the observer's cost), by name:");
        Console.Write(report.ByName().ToTable(top));
        Console.WriteLine("by name and inputs:");
        Console.Write(report.ToTable(top));
    }
}
