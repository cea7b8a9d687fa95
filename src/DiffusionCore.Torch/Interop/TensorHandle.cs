using System.Runtime.InteropServices;

namespace DiffusionCore.Torch.Interop;

/// <summary>Owns one native <c>at::Tensor*</c>; releasing it is the only thing its finalizer ever does.</summary>
internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.dc_tensor_free(handle);
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
