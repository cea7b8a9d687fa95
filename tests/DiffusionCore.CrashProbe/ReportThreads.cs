using DiffusionCore.Torch;

namespace DiffusionCore.CrashProbe;

/// <summary>
/// Issue 18, item 4: loads the shim in a fresh process and reports the intra-op thread count DiffusionCore's default
/// left there, as "threads=N source=S cores=C", then the log line.
/// </summary>
internal static class ReportThreads
{
    public static string Run(string[] args)
    {
        using Tensor t = Tensor.Ones([4096]);
        _ = t.Sum().ToDouble();
        return $"threads={DiffusionCore.Torch.Torch.NumThreads} source={IntraOpThreads.Source} cores={IntraOpThreads.AvailableCores}\n{IntraOpThreads.Describe()}";
    }
}
