using System.Globalization;
using System.Runtime.InteropServices;

namespace DiffusionCore.Torch;

/// <summary>
/// DiffusionCore's default for libtorch's intra-op thread count (<see cref="Torch.NumThreads"/>; docs/performance.md,
/// "Threads"). libtorch 1.13 defaults to the physical cores it counts, which on a machine that reports its vCPUs as
/// hyper-threads of one core is 1: half the machine. When the native shim loads, DiffusionCore therefore sets the count
/// to <see cref="AvailableCores"/>, the cores this process may use: <see cref="System.Environment.ProcessorCount"/>
/// (which .NET already lowers to the CPU affinity mask and to a cgroup CPU quota, and which <c>DOTNET_PROCESSOR_COUNT</c>
/// overrides), lowered again to the cgroup v2 <c>cpu.max</c> or v1 CFS quota read here, rounded up. It leaves libtorch's
/// choice alone when <c>OMP_NUM_THREADS</c> or <c>MKL_NUM_THREADS</c> is set (libtorch reads those itself), and any
/// later assignment to <see cref="Torch.NumThreads"/> wins. <see cref="Describe"/> is the line the trainer and the
/// hosting package log at start. The count changes float sums in the last bits (reductions split their work by
/// thread): a resume is bit-exact only with the same count, which checkpoints record.
/// </summary>
public static class IntraOpThreads
{
    /// <summary>The environment variables libtorch reads for its thread count; when one is set DiffusionCore applies no default.</summary>
    public static IReadOnlyList<string> EnvironmentVariables { get; } = ["OMP_NUM_THREADS", "MKL_NUM_THREADS"];

    private static readonly Lazy<double?> s_cgroupLimit = new(() => CgroupCpuQuota.Read());
    private static volatile int s_source = (int)IntraOpThreadSource.Libtorch;

    /// <summary>The CPU limit of the process's control groups in cores (e.g. 1.5), or null when none limits it.</summary>
    public static double? CgroupCpuLimit => s_cgroupLimit.Value;

    /// <summary>The cores this process may use: <see cref="System.Environment.ProcessorCount"/> lowered to <see cref="CgroupCpuLimit"/> rounded up; at least 1.</summary>
    public static int AvailableCores => CgroupCpuQuota.AvailableCores(System.Environment.ProcessorCount, CgroupCpuLimit);

    /// <summary>Who chose the current count.</summary>
    public static IntraOpThreadSource Source
    {
        get
        {
            Torch.EnsureLoaded();
            return (IntraOpThreadSource)s_source;
        }
    }

    /// <summary>One line for a log: the current count, who chose it and the cores available, e.g. "2 intra-op thread(s), DiffusionCore's default: the 2 cores available to the process (Environment.ProcessorCount 2, no cgroup CPU limit)".</summary>
    public static string Describe()
    {
        int threads = Torch.NumThreads;
        string limit = CgroupCpuLimit is double l ? string.Create(CultureInfo.InvariantCulture, $"cgroup CPU limit {l:0.##}") : "no cgroup CPU limit";
        string cores = $"the {AvailableCores} core(s) available to the process (Environment.ProcessorCount {System.Environment.ProcessorCount}, {limit})";
        string why = Source switch
        {
            IntraOpThreadSource.Default => $"DiffusionCore's default: {cores}",
            IntraOpThreadSource.Environment => $"from {string.Join(" / ", EnvironmentVariables.Where(v => !string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable(v))))}; {cores}",
            IntraOpThreadSource.Explicit => $"set by the application (Torch.NumThreads); {cores}",
            _ => $"libtorch's default; {cores}",
        };
        return $"{threads} intra-op thread(s), {why}";
    }

    /// <summary>Whether the default applies: no libtorch thread variable is set.</summary>
    internal static bool ShouldApplyDefault(Func<string, string?> environment) =>
        EnvironmentVariables.All(v => string.IsNullOrWhiteSpace(environment(v)));

    /// <summary>Records that the application chose the count.</summary>
    internal static void MarkExplicit() => s_source = (int)IntraOpThreadSource.Explicit;

    /// <summary>Applies the default as the shim loads, through its export (the loader must not re-enter P/Invoke resolution).</summary>
    internal static unsafe void ApplyAtLoad(IntPtr shim)
    {
        if (!ShouldApplyDefault(System.Environment.GetEnvironmentVariable))
        {
            s_source = (int)IntraOpThreadSource.Environment;
            return;
        }

        if (!NativeLibrary.TryGetExport(shim, "dc_set_num_threads", out IntPtr set)) return;
        if (((delegate* unmanaged<int, int>)set)(AvailableCores) == 0) s_source = (int)IntraOpThreadSource.Default;
    }
}
