using DiffusionCore.Torch;

namespace DiffusionCore.CrashProbe;

/// <summary>
/// Issue 16, item 6: a loop that never disposes its tensors and opens no <see cref="TensorScope"/>. Their native
/// memory can only come back through finalizers, which run only if the GC learns that native memory is held.
/// Reports the peak of CPU tensor bytes.
/// </summary>
internal static class LeakLoop
{
    public static string Run(string[] args)
    {
        int steps = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 200;
        const long Elements = 1 << 20;  // 4 MiB of float32 per tensor, two tensors per step
        if (!TensorMemory.IsCpuCounted) throw new InvalidOperationException("the counting CPU allocator is needed to measure the peak");
        long start = TensorMemory.ReadCpu().AllocatedBytes;
        long peak = 0;
        double checksum = 0;
        for (int step = 0; step < steps; step++)
        {
            Tensor x = Tensor.Full([Elements], step);
            Tensor y = x + 1;
            checksum += y[0].ToDouble();
            peak = Math.Max(peak, TensorMemory.ReadCpu().AllocatedBytes - start);
        }

        return $"ok: {steps} steps, peak {peak} bytes ({peak / (1 << 20)} MiB) of CPU tensors, checksum {checksum}";
    }
}
