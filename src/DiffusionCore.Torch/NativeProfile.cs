using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

/// <summary>
/// Splits wall time into time spent inside the native shim (libtorch dispatch, kernels, autograd's backward pass,
/// freeing tensors) and everything else (managed code and the P/Invoke transitions). While enabled, every shim call
/// reads a monotonic clock on entry and exit (a small fixed cost per call); nested calls count once. Counters belong to the
/// calling thread, so work other threads do (a data loader) is not mixed in.
/// </summary>
public static class NativeProfile
{
    /// <summary>Turns the per-call clock on or off for all threads (off by default; costs one relaxed load per call when off).</summary>
    public static bool Enabled
    {
        set => NativeStatus.Check(NativeMethods.dc_profile_enable(value ? 1 : 0));
    }

    /// <summary>The calling thread's native time and call count since the last reset; resets them when <paramref name="reset"/> is true.</summary>
    public static NativeTimeSample Read(bool reset = true)
    {
        NativeStatus.Check(NativeMethods.dc_profile_read(reset ? 1 : 0, out long ns, out long calls));
        return new NativeTimeSample(TimeSpan.FromTicks(ns / 100), ns, calls);
    }
}

/// <summary>Time spent inside native shim calls on one thread, and how many calls it took.</summary>
/// <param name="NativeTime">The time inside shim calls.</param>
/// <param name="NativeNanoseconds">The same in nanoseconds.</param>
/// <param name="Calls">The number of outermost shim calls timed.</param>
public readonly record struct NativeTimeSample(TimeSpan NativeTime, long NativeNanoseconds, long Calls);
