using System.Runtime.InteropServices;

namespace DiffusionCore.Torch.Interop;

/// <summary>P/Invoke declarations of native/dc_linalg.cpp (linear-algebra decompositions).</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial int dc_linalg_eigh(TensorHandle a, int upper, out TensorHandle values, out TensorHandle vectors);
}
