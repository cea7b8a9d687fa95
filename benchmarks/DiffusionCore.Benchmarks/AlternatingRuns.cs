using System.Diagnostics;
using System.Globalization;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// Times two workloads in one process by alternating them (A B, B A, A B, …) so that the host's load changes hit both
/// alike, and reports each side's median and the A/B ratio of every adjacent pair with its median and quartiles. On a
/// host whose speed drifts by ±20–40 % between processes, the per-pair ratio is the figure that repeats. Used by the
/// <c>--versus</c> option of <c>edm2-step</c> and <c>edm2-sample</c>.
/// </summary>
internal static class AlternatingRuns
{
    /// <summary>Runs <paramref name="a"/> and <paramref name="b"/> <paramref name="pairs"/> times each, alternating, and returns their wall times in ms.</summary>
    public static (double[] A, double[] B) Measure(Action a, Action b, int pairs)
    {
        if (pairs < 1) throw new ArgumentException($"Alternating runs need at least one pair, not {pairs}.", nameof(pairs));
        var timesA = new double[pairs];
        var timesB = new double[pairs];
        for (int i = 0; i < pairs; i++)
        {
            if (i % 2 == 0)
            {
                timesA[i] = Time(a);
                timesB[i] = Time(b);
            }
            else
            {
                timesB[i] = Time(b);
                timesA[i] = Time(a);
            }
        }

        return (timesA, timesB);
    }

    /// <summary>Prints the medians, minima and per-pair ratio statistics of <see cref="Measure"/>'s result.</summary>
    public static void Print(string labelA, string labelB, double[] timesA, double[] timesB, string unit)
    {
        double[] ratios = timesA.Zip(timesB, (x, y) => x / y).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{timesA.Length} pairs: {labelA} median {Timings.Quantile(timesA, 0.5):F1} {unit} (min {timesA.Min():F1}), {labelB} median {Timings.Quantile(timesB, 0.5):F1} {unit} (min {timesB.Min():F1})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{labelA}/{labelB} per pair: median {Timings.Quantile(ratios, 0.5):F2}×, quartiles {Timings.Quantile(ratios, 0.25):F2}–{Timings.Quantile(ratios, 0.75):F2}×, " +
            $"range {ratios.Min():F2}–{ratios.Max():F2}×; ratio of medians {Timings.Quantile(timesA, 0.5) / Timings.Quantile(timesB, 0.5):F2}×"));
    }

    private static double Time(Action work)
    {
        long start = Stopwatch.GetTimestamp();
        work();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
