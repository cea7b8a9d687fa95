using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks;

/// <summary>The <c>--ops [top]</c> option of the step and sampling runners: an <see cref="OpProfiler"/> table of a workload.</summary>
internal static class OperatorTable
{
    /// <summary>Parses <c>--ops [top]</c> at <paramref name="i"/>; returns the row count (25 without a number).</summary>
    public static int ParseTop(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 < args.Count && int.TryParse(args[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int top))
        {
            i++;
            return Math.Max(1, top);
        }

        return 25;
    }

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
