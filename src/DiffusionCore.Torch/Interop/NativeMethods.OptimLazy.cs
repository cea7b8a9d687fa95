using System.Runtime.InteropServices;

namespace DiffusionCore.Torch.Interop;

/// <summary>P/Invoke declarations of native/dc_optim_lazy.cpp (optimizer steps with lazily created per-parameter state).</summary>
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial int dc_adam_step_lazy(
        IntPtr* parameters, IntPtr* expAvg, IntPtr* expAvgSq, IntPtr* maxExpAvgSq, long* steps, int n,
        double lr, double beta1, double beta2, double eps, double weightDecay, int decoupled, int amsgrad, int maximize);

    [LibraryImport(Lib)]
    internal static partial int dc_sgd_step_lazy(
        IntPtr* parameters, IntPtr* momentumBuffer, int n, double lr, double momentum, double dampening,
        double weightDecay, int nesterov, int maximize);
}
