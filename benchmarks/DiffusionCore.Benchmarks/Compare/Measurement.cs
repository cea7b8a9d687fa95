using System.Diagnostics;

namespace DiffusionCore.Benchmarks.Compare;

/// <summary>One result row: the median (and minimum) over repeats, in the row's unit.</summary>
internal sealed record Measurement(string Workload, double Median, double Min, string Unit, int Repeats, int Inner);

/// <summary>The timing method shared with bench_torch.py: warm up, then time repeats of a fixed call count.</summary>
internal static class Measure
{
    /// <summary>Runs <paramref name="warmup"/> calls, then <paramref name="repeats"/> timed blocks of <paramref name="inner"/> calls.</summary>
    public static Measurement Run(string workload, Action call, int warmup, int inner, int repeats, string unit, double unitsPerSecond)
    {
        for (int i = 0; i < warmup; i++)
        {
            call();
        }

        var perCall = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < inner; i++)
            {
                call();
            }

            long elapsed = Stopwatch.GetTimestamp() - start;
            perCall[r] = elapsed * unitsPerSecond / Stopwatch.Frequency / inner;
        }

        Array.Sort(perCall);
        return new Measurement(workload, Median(perCall), perCall[0], unit, repeats, inner);
    }

    /// <summary>Median of sorted values (mean of the middle two for an even count), as Python's statistics.median.</summary>
    public static double Median(double[] sorted)
    {
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }
}
