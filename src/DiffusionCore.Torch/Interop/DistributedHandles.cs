using System.Runtime.InteropServices;

namespace DiffusionCore.Torch.Interop;

/// <summary>Owns one native c10d store (<c>dc_store</c>).</summary>
internal sealed class StoreHandle : SafeHandle
{
    public StoreHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.dc_store_free(handle);
        return true;
    }
}

/// <summary>Owns one native c10d process group (<c>dc_process_group</c>).</summary>
internal sealed class ProcessGroupHandle : SafeHandle
{
    public ProcessGroupHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.dc_pg_free(handle);
        return true;
    }
}
