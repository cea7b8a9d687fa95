namespace DiffusionCore.CrashProbe;

/// <summary>The scenarios by name; each returns its summary line.</summary>
internal static class Scenarios
{
    public static readonly IReadOnlyDictionary<string, Func<string[], string>> All = new Dictionary<string, Func<string[], string>>(StringComparer.Ordinal)
    {
        ["dispose-race"] = DisposeRace.Run,
        ["stack-many"] = StackMany.Run,
        ["load-while-rewritten"] = LoadWhileRewritten.Run,
        ["leak-loop"] = LeakLoop.Run,
        ["touch-native"] = TouchNative.Run,
        ["threads"] = ReportThreads.Run,
    };

    /// <summary>The duration argument in milliseconds (first argument), or <paramref name="fallbackMs"/>.</summary>
    public static TimeSpan Duration(string[] args, int fallbackMs) =>
        TimeSpan.FromMilliseconds(args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : fallbackMs);
}
