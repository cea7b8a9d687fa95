using DiffusionCore.Torch;

namespace DiffusionCore.CrashProbe;

/// <summary>
/// Issue 16, item 13: loads the native shim (as the first tensor operation does) and reports which libtorch it found,
/// or the typed load failure. Run it with DIFFUSIONCORE_NATIVE set to see how an override is honoured.
/// </summary>
internal static class TouchNative
{
    public static string Run(string[] args)
    {
        try
        {
            using Tensor t = Tensor.Ones([2]);
            return $"loaded: libtorch {DiffusionCore.Torch.Torch.Version}, sum {t.Sum().ToDouble()}";
        }
        catch (TorchLibraryLoadException e)
        {
            return $"load failed ({e.Cause}): {e.Message}";
        }
    }
}
