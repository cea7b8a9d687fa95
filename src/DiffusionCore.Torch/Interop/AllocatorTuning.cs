using System.Runtime.InteropServices;

namespace DiffusionCore.Torch.Interop;

/// <summary>
/// Keeps freed tensor memory in the process on glibc: a training or sampling step frees and re-allocates activations
/// of many megabytes, and glibc's defaults hand each of them back to the kernel (munmap, heap trimming), so the next
/// step page-faults and zeroes them again. With M_MMAP_THRESHOLD at 1 GiB and M_TRIM_THRESHOLD at 2 GiB the memory is
/// reused instead: faster steps with the same peak RSS (benchmarks/results/2026-11-22.md).
/// Applied once, when the shim loads, unless <c>DIFFUSIONCORE_MALLOC_TUNING=0</c> or the process already tunes
/// malloc itself (<c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c>, or <c>glibc.malloc.*</c> in
/// <c>GLIBC_TUNABLES</c>). A no-op on other C libraries.
/// </summary>
internal static class AllocatorTuning
{
    /// <summary>Set to 0 to keep glibc's malloc defaults.</summary>
    internal const string OptOutVariable = "DIFFUSIONCORE_MALLOC_TUNING";

    internal const long MmapThreshold = 1L << 30;
    internal const long TrimThreshold = int.MaxValue;

    /// <summary>True once the shim set both thresholds.</summary>
    internal static bool Applied { get; private set; }

    /// <summary>Whether to tune, given the process environment (a lookup by variable name).</summary>
    internal static bool ShouldTune(Func<string, string?> environment)
    {
        if (environment(OptOutVariable)?.Trim() == "0") return false;
        if (!string.IsNullOrEmpty(environment("MALLOC_MMAP_THRESHOLD_")) || !string.IsNullOrEmpty(environment("MALLOC_TRIM_THRESHOLD_")))
        {
            return false;
        }

        return environment("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) != true;
    }

    /// <summary>Calls the shim's dc_tune_allocator through its export (the loader must not re-enter P/Invoke resolution).</summary>
    internal static unsafe void Apply(IntPtr shim)
    {
        if (!OperatingSystem.IsLinux() || !ShouldTune(Environment.GetEnvironmentVariable)) return;
        if (!NativeLibrary.TryGetExport(shim, "dc_tune_allocator", out IntPtr fn)) return;
        int applied = 0;
        int status = ((delegate* unmanaged<long, long, int*, int>)fn)(MmapThreshold, TrimThreshold, &applied);
        Applied = status == 0 && applied == 1;
    }
}
