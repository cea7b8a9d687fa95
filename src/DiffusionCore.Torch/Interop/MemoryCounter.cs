using System.Runtime.InteropServices;

namespace DiffusionCore.Torch.Interop;

/// <summary>
/// Installs the shim's counting CPU allocator (dc_memory.cpp) when the shim loads, before the first tensor exists, so
/// <see cref="TensorMemory"/> can report the bytes held by CPU tensors. Off with <c>DIFFUSIONCORE_MEMORY_COUNTER=0</c>;
/// not available on non-glibc systems or when the host process registered its own CPU allocator.
/// </summary>
internal static class MemoryCounter
{
    /// <summary>Set to 0 to keep libtorch's default CPU allocator (no counts).</summary>
    internal const string OptOutVariable = "DIFFUSIONCORE_MEMORY_COUNTER";

    /// <summary>True once the counting allocator is libtorch's CPU allocator.</summary>
    internal static bool Installed { get; private set; }

    /// <summary>Calls dc_memory_counter_install through its export (the loader must not re-enter P/Invoke resolution).</summary>
    internal static unsafe void Install(IntPtr shim)
    {
        if (Environment.GetEnvironmentVariable(OptOutVariable)?.Trim() == "0") return;
        if (!NativeLibrary.TryGetExport(shim, "dc_memory_counter_install", out IntPtr fn)) return;
        int installed = 0;
        int status = ((delegate* unmanaged<int*, int>)fn)(&installed);
        Installed = status == 0 && installed == 1;
    }
}
