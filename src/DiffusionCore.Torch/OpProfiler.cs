using System.Text;
using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

/// <summary>
/// Operator-level profile: while running, every libtorch operator and autograd node executed in the process (the events
/// <c>torch.profiler</c> shows, through libtorch's <c>RecordFunction</c> observers) is counted with its calls, self time
/// (excluding the operators it called) and total time, optionally per input dtype and shape. Use it to see where a
/// training step's or a sampler's time goes, e.g. <c>convolution_backward</c> against the elementwise kernels.
/// </summary>
/// <remarks>
/// One profile runs at a time per process. Observing costs roughly a microsecond per operator (more with
/// <c>recordShapes</c>), so profile representative steps rather than timing with it on. Frees nothing until stopped;
/// <see cref="Dispose"/> stops a running profile and discards its counts.
/// <code>
/// using var profiler = OpProfiler.Start();
/// RunStep();
/// Console.WriteLine(profiler.Stop().ToTable(top: 20));
/// </code>
/// </remarks>
public sealed class OpProfiler : IDisposable
{
    private static int s_running;
    private bool _running;

    private OpProfiler(bool recordShapes)
    {
        RecordShapes = recordShapes;
        _running = true;
    }

    /// <summary>Whether counts are kept per input dtype and shape (see <see cref="OpProfileEntry.Inputs"/>).</summary>
    public bool RecordShapes { get; }

    /// <summary>Starts counting operators in every thread of the process.</summary>
    /// <param name="recordShapes">Keep separate counts per input dtype and shape (slower to observe).</param>
    /// <exception cref="InvalidOperationException">When another profile is still running.</exception>
    public static OpProfiler Start(bool recordShapes = false)
    {
        if (Interlocked.CompareExchange(ref s_running, 1, 0) != 0)
        {
            throw new InvalidOperationException("An OpProfiler is already running in this process: stop or dispose it before starting another.");
        }

        try
        {
            NativeStatus.Check(NativeMethods.dc_op_profile_start(recordShapes ? 1 : 0));
        }
        catch
        {
            Volatile.Write(ref s_running, 0);
            throw;
        }

        return new OpProfiler(recordShapes);
    }

    /// <summary>Stops counting and returns the counts, largest self time first.</summary>
    /// <exception cref="InvalidOperationException">When this profile was already stopped.</exception>
    public OpProfileReport Stop()
    {
        if (!_running) throw new InvalidOperationException("This OpProfiler was already stopped.");
        _running = false;
        try
        {
            NativeStatus.Check(NativeMethods.dc_op_profile_stop());

            // Read before another profile may start and clear the counts.
            return OpProfileReport.Parse(ReadReport());
        }
        finally
        {
            Volatile.Write(ref s_running, 0);
        }
    }

    /// <summary>Stops the profile if it is still running; its counts are discarded.</summary>
    public void Dispose()
    {
        if (!_running) return;
        _running = false;
        try
        {
            NativeStatus.Check(NativeMethods.dc_op_profile_stop());
        }
        finally
        {
            Volatile.Write(ref s_running, 0);
        }
    }

    private static unsafe string ReadReport()
    {
        NativeStatus.Check(NativeMethods.dc_op_profile_report(null, 0, out long needed));
        if (needed == 0) return string.Empty;
        byte[] buffer = new byte[needed];
        fixed (byte* p = buffer)
        {
            NativeStatus.Check(NativeMethods.dc_op_profile_report(p, buffer.LongLength, out long written));
            if (written != needed) throw new InvalidOperationException("The operator profile changed while it was read.");
        }

        return Encoding.UTF8.GetString(buffer);
    }
}
