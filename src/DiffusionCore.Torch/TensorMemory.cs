using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

/// <summary>The bytes held by CPU tensors at one moment (<see cref="TensorMemory.ReadCpu"/>).</summary>
/// <param name="AllocatedBytes">Bytes held by live CPU tensor storages now.</param>
/// <param name="PeakAllocatedBytes">The high-water mark of <paramref name="AllocatedBytes"/> since the process
/// started or the last <see cref="TensorMemory.ResetCpuPeak"/>.</param>
/// <param name="Allocations">CPU tensor storages allocated since the process started.</param>
public readonly record struct CpuTensorMemory(long AllocatedBytes, long PeakAllocatedBytes, long Allocations);

/// <summary>
/// Bytes held by CPU tensors, counted by DiffusionCore's CPU allocator (the CPU counterpart of PyTorch's
/// <c>torch.cuda.memory_allocated</c> and <c>max_memory_allocated</c>). Every CPU tensor storage libtorch allocates
/// through its CPU allocator is counted at the size the C library reserved for it; buffers oneDNN or BLAS keep for
/// themselves are not. The counts are process-wide: work on other threads shows up in them too.
/// </summary>
public static class TensorMemory
{
    /// <summary>
    /// True when the counting allocator is installed (glibc Linux; off with <c>DIFFUSIONCORE_MEMORY_COUNTER=0</c>).
    /// When false, <see cref="ReadCpu"/> throws.
    /// </summary>
    public static bool IsCpuCounted
    {
        get
        {
            NativeLoader.EnsureLoaded();
            return MemoryCounter.Installed;
        }
    }

    /// <summary>The current CPU tensor bytes, their peak and the allocation count.</summary>
    /// <exception cref="InvalidOperationException">The counting allocator is not installed; the message says why.</exception>
    public static CpuTensorMemory ReadCpu()
    {
        EnsureCounted();
        NativeStatus.Check(NativeMethods.dc_memory_cpu_stats(out long current, out long peak, out long allocations));
        return new CpuTensorMemory(current, peak, allocations);
    }

    /// <summary>Sets the peak to the bytes held now, so the next <see cref="ReadCpu"/> reports the peak of what follows.</summary>
    /// <exception cref="InvalidOperationException">The counting allocator is not installed.</exception>
    public static void ResetCpuPeak()
    {
        EnsureCounted();
        NativeStatus.Check(NativeMethods.dc_memory_cpu_reset_peak());
    }

    /// <summary>
    /// Runs <paramref name="action"/> and returns the most CPU tensor bytes it held above what was held when it
    /// started (its peak working set). Resets the process-wide peak.
    /// </summary>
    /// <exception cref="InvalidOperationException">The counting allocator is not installed.</exception>
    public static long MeasureCpuPeak(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ResetCpuPeak();
        long before = ReadCpu().AllocatedBytes;
        action();
        return Math.Max(0, ReadCpu().PeakAllocatedBytes - before);
    }

    private static void EnsureCounted()
    {
        if (IsCpuCounted) return;
        string why = Environment.GetEnvironmentVariable(MemoryCounter.OptOutVariable)?.Trim() == "0"
            ? $"{MemoryCounter.OptOutVariable}=0 turned it off; unset it to count CPU tensor memory"
            : "it needs glibc Linux and a process that has not registered its own libtorch CPU allocator";
        throw new InvalidOperationException($"CPU tensor memory is not counted: {why}.");
    }
}
