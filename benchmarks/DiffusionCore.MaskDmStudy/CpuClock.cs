using System.Diagnostics;

namespace DiffusionCore.MaskDmStudy;

/// <summary>The CPU time of this process (all threads), the load-independent budget of the study (libtorch runs on one intra-op thread).</summary>
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
