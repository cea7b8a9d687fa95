using System.Globalization;
using System.Text;

namespace DiffusionCore.Torch;

/// <summary>One operator's counts in an <see cref="OpProfileReport"/>.</summary>
/// <param name="Name">The operator or autograd node, e.g. <c>aten::convolution_backward</c> or <c>MulBackward0</c>.</param>
/// <param name="Inputs">The inputs' dtypes and shapes (e.g. <c>f32[64,32,32,32]CL, scalar</c>; <c>CL</c> marks channels-last),
/// or empty when the profile did not record shapes.</param>
/// <param name="Calls">How many times it ran.</param>
/// <param name="SelfTime">Time inside it, excluding the operators it called.</param>
/// <param name="TotalTime">Time inside it, including the operators it called (counted again in their own rows).</param>
public sealed record OpProfileEntry(string Name, string Inputs, long Calls, TimeSpan SelfTime, TimeSpan TotalTime);

/// <summary>The counts of an <see cref="OpProfiler"/>, sorted by self time, largest first.</summary>
public sealed class OpProfileReport
{
    private OpProfileReport(IReadOnlyList<OpProfileEntry> entries)
    {
        Entries = entries;
        TotalSelfTime = TimeSpan.FromTicks(entries.Sum(e => e.SelfTime.Ticks));
    }

    /// <summary>Every operator (and input signature, when recorded), largest self time first.</summary>
    public IReadOnlyList<OpProfileEntry> Entries { get; }

    /// <summary>The sum of all self times: the time spent inside libtorch operators.</summary>
    public TimeSpan TotalSelfTime { get; }

    /// <summary>The counts summed over input signatures, one entry per operator name.</summary>
    public OpProfileReport ByName() => new(Entries
        .GroupBy(e => e.Name, StringComparer.Ordinal)
        .Select(g => new OpProfileEntry(
            g.Key, string.Empty, g.Sum(e => e.Calls), TimeSpan.FromTicks(g.Sum(e => e.SelfTime.Ticks)), TimeSpan.FromTicks(g.Sum(e => e.TotalTime.Ticks))))
        .OrderByDescending(e => e.SelfTime)
        .ToList());

    /// <summary>A fixed-width table of the <paramref name="top"/> entries: self ms, share of all self time, total ms, calls, name, inputs.</summary>
    public string ToTable(int top = 25)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var s = new StringBuilder();
        double all = Math.Max(TotalSelfTime.TotalMilliseconds, double.Epsilon);
        s.AppendLine(CultureInfo.InvariantCulture, $"{"self ms",10} {"self %",7} {"total ms",10} {"calls",8}  name  inputs");
        foreach (OpProfileEntry e in Entries.Take(top))
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"{e.SelfTime.TotalMilliseconds,10:F2} {100 * e.SelfTime.TotalMilliseconds / all,6:F1}% {e.TotalTime.TotalMilliseconds,10:F2} {e.Calls,8}  {e.Name}  {e.Inputs}");
        }

        s.AppendLine(CultureInfo.InvariantCulture, $"{TotalSelfTime.TotalMilliseconds,10:F2} 100.0%  all {Entries.Count} entries");
        return s.ToString();
    }

    internal static OpProfileReport Parse(string text)
    {
        var entries = new List<OpProfileEntry>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split('\t');
            if (f.Length != 5) throw new FormatException($"Unexpected operator profile line from the native shim: '{line}'.");
            entries.Add(new OpProfileEntry(
                f[3], f[4], long.Parse(f[0], CultureInfo.InvariantCulture),
                Nanoseconds(long.Parse(f[1], CultureInfo.InvariantCulture)), Nanoseconds(long.Parse(f[2], CultureInfo.InvariantCulture))));
        }

        entries.Sort((a, b) => b.SelfTime.CompareTo(a.SelfTime));
        return new OpProfileReport(entries);
    }

    private static TimeSpan Nanoseconds(long ns) => TimeSpan.FromTicks(ns / 100);
}
