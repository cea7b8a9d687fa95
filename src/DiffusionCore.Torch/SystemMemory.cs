using System.Globalization;

namespace DiffusionCore.Torch;

/// <summary>
/// Memory the machine can still give this process: on Linux the kernel's estimate <c>MemAvailable</c>
/// (<c>/proc/meminfo</c>), lowered to the room left under the process's cgroup memory limit (v2 <c>memory.max</c>
/// or v1 <c>memory.limit_in_bytes</c>, less the usage that is not reclaimable page cache). Elsewhere, the .NET
/// runtime's view (<see cref="GC.GetGCMemoryInfo()"/>: total available less the memory load).
/// </summary>
public static class SystemMemory
{
    private const string CgroupRoot = "/sys/fs/cgroup";

    /// <summary>The bytes available to this process now.</summary>
    /// <exception cref="InvalidOperationException">The operating system reports no figure; the message names what was read.</exception>
    public static long AvailableBytes()
    {
        if (OperatingSystem.IsLinux() && File.Exists("/proc/meminfo"))
        {
            long? available = ParseMemAvailable(File.ReadAllText("/proc/meminfo"));
            if (available is null)
            {
                throw new InvalidOperationException("/proc/meminfo has no MemAvailable line (Linux 3.14 or later reports it).");
            }

            long? cgroupRoom = CgroupRoom(ReadOrNull);
            return cgroupRoom is long room ? Math.Min(available.Value, room) : available.Value;
        }

        GCMemoryInfo info = GC.GetGCMemoryInfo();
        long left = info.TotalAvailableMemoryBytes - info.MemoryLoadBytes;
        return left > 0 ? left : throw new InvalidOperationException("The runtime reports no available memory (GC.GetGCMemoryInfo).");
    }

    /// <summary>MemAvailable in bytes from the text of /proc/meminfo, or null when the line is missing.</summary>
    internal static long? ParseMemAvailable(string meminfo)
    {
        foreach (string line in meminfo.Split('\n'))
        {
            if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
            string[] parts = line["MemAvailable:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 1 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                long unit = parts.Length >= 2 && parts[1] == "kB" ? 1024 : 1;
                return value * unit;
            }
        }

        return null;
    }

    /// <summary>
    /// Bytes left under the cgroup memory limit (limit − (usage − inactive file cache)), or null when there is no
    /// limit. <paramref name="read"/> returns a file's text under the cgroup root, or null when it does not exist.
    /// </summary>
    internal static long? CgroupRoom(Func<string, string?> read)
    {
        // cgroup v2 (unified): memory.max is "max" when unlimited.
        string? max = read("memory.max");
        if (max is not null)
        {
            if (!TryParseBytes(max, out long limit)) return null;
            long usage = TryParseBytes(read("memory.current"), out long u) ? u : 0;
            return Room(limit, usage, StatValue(read("memory.stat"), "inactive_file"));
        }

        // cgroup v1: an unlimited group reports a huge page-aligned number.
        string? v1Limit = read("memory/memory.limit_in_bytes");
        if (v1Limit is not null && TryParseBytes(v1Limit, out long l1) && l1 < (1L << 60))
        {
            long usage = TryParseBytes(read("memory/memory.usage_in_bytes"), out long u) ? u : 0;
            string? stat = read("memory/memory.stat");
            return Room(l1, usage, StatValue(stat, "total_inactive_file") ?? StatValue(stat, "inactive_file"));
        }

        return null;
    }

    private static long Room(long limit, long usage, long? inactiveFile) =>
        Math.Max(0, limit - Math.Max(0, usage - (inactiveFile ?? 0)));

    private static long? StatValue(string? stat, string key)
    {
        if (stat is null) return null;
        foreach (string line in stat.Split('\n'))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long v))
            {
                return v;
            }
        }

        return null;
    }

    private static bool TryParseBytes(string? text, out long value) =>
        long.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static string? ReadOrNull(string relative)
    {
        string path = Path.Combine(CgroupRoot, relative);
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
