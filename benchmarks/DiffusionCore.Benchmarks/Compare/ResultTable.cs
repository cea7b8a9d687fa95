using System.Globalization;

namespace DiffusionCore.Benchmarks.Compare;

/// <summary>
/// The plain-text table both sides print: '#' comment lines, one header line, then one whitespace-separated row per
/// workload (workload, median, min, unit, repeats, inner). run-comparison.sh joins the two tables on the workload name.
/// </summary>
internal static class ResultTable
{
    public static void Print(string header, IEnumerable<Measurement> rows)
    {
        Console.WriteLine(header);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"workload",-20} {"median",10} {"min",10} {"unit",-8} {"repeats",7} {"inner",7}"));
        foreach (Measurement m in rows)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{m.Workload,-20} {m.Median,10:F3} {m.Min,10:F3} {m.Unit,-8} {m.Repeats,7} {m.Inner,7}"));
        }
    }
}
