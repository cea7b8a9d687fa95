namespace DiffusionCore.Benchmarks;

/// <summary>Reads one field of /proc/self/status (VmRSS, VmHWM), which BenchmarkDotNet cannot report.</summary>
internal static class ProcStatus
{
    public static string Read(string key)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return "unavailable (no /proc/self/status)";
        string? line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? "unavailable" : line[key.Length..].Trim();
    }
}
