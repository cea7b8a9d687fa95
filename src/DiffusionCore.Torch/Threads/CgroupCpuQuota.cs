using System.Globalization;

namespace DiffusionCore.Torch;

/// <summary>
/// The CPU limit a Linux control group puts on this process, in cores: cgroup v2 <c>cpu.max</c> ("quota period" or
/// "max period") and cgroup v1 <c>cpu.cfs_quota_us</c> / <c>cpu.cfs_period_us</c> (quota −1 = no limit). The process's
/// groups come from <c>/proc/self/cgroup</c>; every group from the process's own up to the root is read and the
/// smallest limit counts (a parent's limit caps its children). A group path that is not visible under the mount (as
/// inside a container, whose own group is the mount's root) is skipped, so the mount's root files still count.
/// </summary>
internal static class CgroupCpuQuota
{
    /// <summary>The limit in cores (e.g. 1.5), or null when no group limits the CPU or nothing can be read.</summary>
    /// <param name="cgroupRoot">The cgroup mount (<c>/sys/fs/cgroup</c>; v1 controllers in its sub-folders).</param>
    /// <param name="selfCgroup">The process's group list (<c>/proc/self/cgroup</c>).</param>
    internal static double? Read(string cgroupRoot = "/sys/fs/cgroup", string selfCgroup = "/proc/self/cgroup")
    {
        string[] lines;
        try
        {
            lines = File.Exists(selfCgroup) ? File.ReadAllLines(selfCgroup) : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        double? limit = null;
        foreach (string line in lines)
        {
            string[] parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            if (parts[0] == "0" && parts[1].Length == 0)
            {
                limit = Min(limit, SmallestUpwards(cgroupRoot, parts[2], dir => ParseCpuMax(ReadOrNull(Path.Combine(dir, "cpu.max")))));
            }
            else if (parts[1].Split(',').Contains("cpu", StringComparer.Ordinal))
            {
                foreach (string mount in new[] { parts[1], "cpu", "cpu,cpuacct" }.Distinct(StringComparer.Ordinal).Select(m => Path.Combine(cgroupRoot, m)))
                {
                    if (!Directory.Exists(mount)) continue;
                    limit = Min(limit, SmallestUpwards(mount, parts[2], dir => ParseCfs(
                        ReadOrNull(Path.Combine(dir, "cpu.cfs_quota_us")), ReadOrNull(Path.Combine(dir, "cpu.cfs_period_us")))));
                }
            }
        }

        return limit;
    }

    /// <summary>Parses cgroup v2 <c>cpu.max</c>: "200000 100000" is 2 cores, "max 100000" no limit.</summary>
    internal static double? ParseCpuMax(string? text)
    {
        string[] fields = (text ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0 || fields[0] == "max") return null;
        string period = fields.Length > 1 ? fields[1] : "100000";
        return Cores(fields[0], period);
    }

    /// <summary>Parses cgroup v1 <c>cpu.cfs_quota_us</c> and <c>cpu.cfs_period_us</c>: quota −1 (or absent) is no limit.</summary>
    internal static double? ParseCfs(string? quota, string? period) =>
        quota is null || period is null ? null : Cores(quota.Trim(), period.Trim());

    /// <summary>The cores the process may use: <paramref name="processorCount"/>, lowered to the limit rounded up (at least 1).</summary>
    internal static int AvailableCores(int processorCount, double? limit) =>
        limit is double l ? Math.Clamp((int)Math.Ceiling(l), 1, Math.Max(1, processorCount)) : Math.Max(1, processorCount);

    private static double? Cores(string quota, string period)
    {
        if (!long.TryParse(quota, NumberStyles.Integer, CultureInfo.InvariantCulture, out long q) || q <= 0) return null;
        if (!long.TryParse(period, NumberStyles.Integer, CultureInfo.InvariantCulture, out long p) || p <= 0) return null;
        return (double)q / p;
    }

    private static double? SmallestUpwards(string mount, string groupPath, Func<string, double?> limitOf)
    {
        double? limit = null;
        string relative = groupPath.Trim().Trim('/');
        while (true)
        {
            string dir = relative.Length == 0 ? mount : Path.Combine(mount, relative);
            if (Directory.Exists(dir)) limit = Min(limit, limitOf(dir));
            if (relative.Length == 0) return limit;
            int slash = relative.LastIndexOf('/');
            relative = slash < 0 ? string.Empty : relative[..slash];
        }
    }

    private static double? Min(double? a, double? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
