using System.Runtime.InteropServices;

namespace DiffusionCore.Torch.Interop;

/// <summary>Owns one native <c>at::Tensor*</c>; releasing it is the only thing its finalizer ever does.</summary>
internal sealed class TensorHandle : SafeHandle
{
    /// <summary>
    /// The null pointer for an optional tensor argument (no bias, no mask, no gradient), marshalled like any handle. It is
    /// invalid, so it is never released, and never disposed.
    /// </summary>
    internal static readonly TensorHandle None = new();

    public TensorHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Bytes reported to the GC for this tensor (<see cref="NativeMemoryPressure"/>), withdrawn on release.</summary>
    internal long MemoryPressure { get; set; }

    protected override bool ReleaseHandle()
    {
        NativeMethods.dc_tensor_free(handle);
        NativeMemoryPressure.Release(this);
        return true;
    }
}

/// <summary>Owns one native <c>at::Generator*</c>.</summary>
internal sealed class GeneratorHandle : SafeHandle
{
    public GeneratorHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.dc_generator_free(handle);
        return true;
    }
}
