using System.Diagnostics;

namespace DiffusionCore.Samples.Cli;

/// <summary>
/// This process's CPU time (all threads): the studies' load-independent training budget (libtorch on one intra-op
/// thread, so CPU seconds do not depend on what else the machine runs).
/// </summary>
internal static class CpuClock
{
    public static double Seconds
    {
        get
        {
            using var p = Process.GetCurrentProcess();
            return p.TotalProcessorTime.TotalSeconds;
        }
    }
}
