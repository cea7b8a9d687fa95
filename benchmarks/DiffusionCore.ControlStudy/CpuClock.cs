using System.Diagnostics;

namespace DiffusionCore.ControlStudy;

/// <summary>This process's CPU time (all threads): study 2's load-independent budget (libtorch on one intra-op thread).</summary>
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
