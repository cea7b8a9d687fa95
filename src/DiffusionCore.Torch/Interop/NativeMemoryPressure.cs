namespace DiffusionCore.Torch.Interop;

/// <summary>
/// Tells the garbage collector how many bytes CPU tensors hold (<see cref="GC.AddMemoryPressure"/> and
/// <see cref="GC.RemoveMemoryPressure"/>, brought up to the counting allocator's total every 64 tensors a thread
/// creates). A <see cref="Tensor"/> is a small managed object over a large native buffer: without this, a loop that
/// neither disposes its tensors nor opens a <see cref="TensorScope"/> grows native memory without ever making the GC
/// collect, so the finalizers that would free the tensors never run. With it, such a loop stays bounded (issue 16,
/// item 6). Needs the counting allocator (<see cref="TensorMemory.IsCpuCounted"/>); CUDA memory is not reported.
/// </summary>
internal static class NativeMemoryPressure
{
    private const int SampleEvery = 64;

    private static readonly Lock Gate = new();

    [ThreadStatic]
    private static int t_created;

    private static long s_reported;

    /// <summary>Counts a tensor creation; every 64th on a thread brings the reported pressure up to date.</summary>
    internal static void OnTensorCreated()
    {
        if (++t_created < SampleEvery) return;
        t_created = 0;
        Update();
    }

    private static void Update()
    {
        if (!MemoryCounter.Installed || NativeMethods.dc_memory_cpu_stats(out long current, out _, out _) != NativeStatus.Ok)
        {
            return;
        }

        lock (Gate)
        {
            long delta = current - s_reported;
            if (delta > 0) GC.AddMemoryPressure(delta);
            else if (delta < 0) GC.RemoveMemoryPressure(-delta);
            s_reported = current;
        }
    }
}
