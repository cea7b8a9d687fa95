using System.Runtime.InteropServices;

namespace DiffusionCore.Torch.Interop;

/// <summary>P/Invoke declarations of native/dc_params.cpp (nn.Module parameter maintenance).</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int dc_tensor_set_data(TensorHandle t, TensorHandle data);
}
