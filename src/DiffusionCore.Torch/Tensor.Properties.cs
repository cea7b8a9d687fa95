using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

public sealed partial class Tensor
{
    private const int MaxRank = 64;

    /// <summary>Number of dimensions.</summary>
    public int Dim
    {
        get
        {
            NativeStatus.Check(NativeMethods.dc_tensor_ndim(Handle, out int n));
            return n;
        }
    }

    /// <summary>The sizes of every dimension (a new array each call).</summary>
    public unsafe long[] Shape
    {
        get
        {
            long* buf = stackalloc long[MaxRank];
            NativeStatus.Check(NativeMethods.dc_tensor_ndim(Handle, out int n));
            NativeStatus.Check(NativeMethods.dc_tensor_sizes(Handle, buf, MaxRank));
            return new ReadOnlySpan<long>(buf, n).ToArray();
        }
    }

    /// <summary>The strides of every dimension in elements.</summary>
    public unsafe long[] Strides
    {
        get
        {
            long* buf = stackalloc long[MaxRank];
            NativeStatus.Check(NativeMethods.dc_tensor_ndim(Handle, out int n));
            NativeStatus.Check(NativeMethods.dc_tensor_strides(Handle, buf, MaxRank));
            return new ReadOnlySpan<long>(buf, n).ToArray();
        }
    }

    /// <summary>The size of one dimension (negative indices count from the end).</summary>
    public long Size(int dim)
    {
        long[] s = Shape;
        int d = dim < 0 ? dim + s.Length : dim;
        if (d < 0 || d >= s.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"dimension out of range for a tensor of rank {s.Length}");
        }

        return s[d];
    }

    /// <summary>The element type.</summary>
    public DType DType
    {
        get
        {
            NativeStatus.Check(NativeMethods.dc_tensor_dtype(Handle, out int d));
            return (DType)d;
        }
    }

    /// <summary>The device the tensor lives on.</summary>
    public Device Device
    {
        get
        {
            NativeStatus.Check(NativeMethods.dc_tensor_device(Handle, out int type, out int index));
            return new Device((DeviceType)type, index);
        }
    }

    /// <summary>Total number of elements.</summary>
    public long NumElements
    {
        get
        {
            NativeStatus.Check(NativeMethods.dc_tensor_numel(Handle, out long n));
            return n;
        }
    }

    /// <summary>True when the elements are laid out densely in the given memory format.</summary>
    public bool IsContiguous(MemoryFormat format = MemoryFormat.Contiguous)
    {
        NativeStatus.Check(NativeMethods.dc_tensor_is_contiguous(Handle, (int)format, out int r));
        return r != 0;
    }

    /// <summary>The value of a one-element tensor as a double.</summary>
    public double ToDouble()
    {
        NativeStatus.Check(NativeMethods.dc_tensor_item_double(Handle, out double v));
        return v;
    }

    /// <summary>The value of a one-element tensor as a float.</summary>
    public float ToSingle() => (float)ToDouble();

    /// <summary>The value of a one-element tensor as an int64.</summary>
    public long ToInt64()
    {
        NativeStatus.Check(NativeMethods.dc_tensor_item_int64(Handle, out long v));
        return v;
    }

    /// <summary>The value of a one-element boolean tensor.</summary>
    public bool ToBoolean() => ToInt64() != 0;
}
