using System.Globalization;

namespace DiffusionCore.Distributed.Worker;

/// <summary>The worker's output protocol: one "key=value" line per result, read by the tests.</summary>
internal static class Report
{
    public static void Line(string key, string value)
    {
        Console.Out.WriteLine($"{key}={value}");
        Console.Out.Flush();
    }

    public static void Values(string key, IEnumerable<double> values) =>
        Line(key, string.Join(',', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));

    public static void Error(string key, Exception e, TimeSpan elapsed) =>
        Line(key, $"{e.GetType().Name}|{elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)}|{e.Message.ReplaceLineEndings(" ")}");
}
