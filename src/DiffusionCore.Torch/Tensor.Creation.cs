using System.Runtime.InteropServices;
using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

public sealed partial class Tensor
{
    private static unsafe Tensor Fill(int kind, ReadOnlySpan<long> shape, DType dtype, Device? device)
    {
        ValidateShape(shape);
        Device d = device ?? Device.Cpu;
        fixed (long* p = shape)
        {
            return Wrap(NativeMethods.dc_fill_new(kind, p, shape.Length, (int)dtype, (int)d.Type, d.Index, out var r), r);
        }
    }

    internal static void ValidateShape(ReadOnlySpan<long> shape)
    {
        foreach (long s in shape)
        {
            if (s < 0)
            {
                throw new ArgumentException($"Shape [{string.Join(", ", shape.ToArray())}] has a negative size; sizes must be >= 0.", nameof(shape));
            }
        }
    }

    /// <summary>A tensor of zeros (torch.zeros).</summary>
    public static Tensor Zeros(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Fill(0, shape, dtype, device);

    /// <summary>A tensor of ones (torch.ones).</summary>
    public static Tensor Ones(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Fill(1, shape, dtype, device);

    /// <summary>An uninitialised tensor (torch.empty).</summary>
    public static Tensor Empty(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Fill(2, shape, dtype, device);

    /// <summary>A tensor filled with one value (torch.full).</summary>
    public static unsafe Tensor Full(ReadOnlySpan<long> shape, double value, DType dtype = DType.Float32, Device? device = null)
    {
        ValidateShape(shape);
        Device d = device ?? Device.Cpu;
        fixed (long* p = shape)
        {
            return Wrap(NativeMethods.dc_full(p, shape.Length, value, (int)dtype, (int)d.Type, d.Index, out var r), r);
        }
    }

    /// <summary>A zero-dimensional tensor holding one value.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) => Full(ReadOnlySpan<long>.Empty, value, dtype, device);

    /// <summary>Values from <paramref name="start"/> up to (excluding) <paramref name="end"/> (torch.arange).</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Int64, Device? device = null)
    {
        if (step == 0) throw new ArgumentOutOfRangeException(nameof(step), "step must not be zero");
        Device d = device ?? Device.Cpu;
        return Wrap(NativeMethods.dc_arange(start, end, step, (int)dtype, (int)d.Type, d.Index, out var r), r);
    }

    /// <summary>0, 1, …, end−1 (torch.arange(end)).</summary>
    public static Tensor Arange(long end, DType dtype = DType.Int64, Device? device = null) => Arange(0, end, 1, dtype, device);

    /// <summary><paramref name="steps"/> evenly spaced values from start to end inclusive (torch.linspace).</summary>
    public static Tensor Linspace(double start, double end, long steps, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        Device d = device ?? Device.Cpu;
        return Wrap(NativeMethods.dc_linspace(start, end, steps, (int)dtype, (int)d.Type, d.Index, out var r), r);
    }

    /// <summary>The n×n identity matrix.</summary>
    public static Tensor Eye(long n, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        Device d = device ?? Device.Cpu;
        return Wrap(NativeMethods.dc_eye(n, (int)dtype, (int)d.Type, d.Index, out var r), r);
    }

    /// <summary>Zeros with this tensor's shape, dtype and device.</summary>
    public Tensor ZerosLike() => Wrap(NativeMethods.dc_fill_like(0, Handle, out var r), r);

    /// <summary>Ones with this tensor's shape, dtype and device.</summary>
    public Tensor OnesLike() => Wrap(NativeMethods.dc_fill_like(1, Handle, out var r), r);

    /// <summary>Uninitialised memory with this tensor's shape, dtype and device.</summary>
    public Tensor EmptyLike() => Wrap(NativeMethods.dc_fill_like(2, Handle, out var r), r);

    /// <summary>Copies host data into a new CPU tensor of the given shape; the dtype follows <typeparamref name="T"/>.</summary>
    public static unsafe Tensor FromSpan<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape)
        where T : unmanaged
    {
        ValidateShape(shape);
        DType dtype = DTypeExtensions.FromClrType<T>();
        long numel = 1;
        foreach (long s in shape) numel *= s;
        if (numel != data.Length)
        {
            throw new ArgumentException(
                $"{data.Length} values cannot fill shape [{string.Join(", ", shape.ToArray())}] ({numel} elements).", nameof(data));
        }

        fixed (T* src = data)
        fixed (long* p = shape)
        {
            long bytes = (long)data.Length * sizeof(T);
            return Wrap(NativeMethods.dc_tensor_from_host(src, bytes, p, shape.Length, (int)dtype, out var r), r);
        }
    }

    /// <summary>Copies a host array into a new CPU tensor; shape defaults to one dimension of the array's length.</summary>
    public static Tensor FromArray<T>(T[] data, params long[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromSpan<T>(data, shape.Length == 0 ? [data.Length] : shape);
    }

    /// <summary>Copies the elements (in row-major order) to a new host array; <typeparamref name="T"/> must match the dtype.</summary>
    public T[] ToArray<T>()
        where T : unmanaged
    {
        var result = new T[checked((int)NumElements)];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>Copies the elements (in row-major order) into <paramref name="destination"/>, whose length must equal the element count.</summary>
    public unsafe void CopyTo<T>(Span<T> destination)
        where T : unmanaged
    {
        DType want = DTypeExtensions.FromClrType<T>();
        DType have = DType;
        if (want != have)
        {
            throw new ArgumentException($"The tensor holds {have} but {typeof(T).Name} ({want}) was requested; convert first with To({want}).");
        }

        fixed (T* dst = destination)
        {
            NativeStatus.Check(NativeMethods.dc_tensor_to_host(Handle, dst, (long)destination.Length * sizeof(T)));
        }
    }

    /// <summary>
    /// The address of the first element of this contiguous CPU tensor, for filling a new tensor's storage in place (a
    /// file read). Valid while the tensor is alive and not resized; the caller keeps it alive.
    /// </summary>
    /// <exception cref="TorchArgumentException">The tensor is not a contiguous CPU tensor.</exception>
    internal IntPtr DataPointer()
    {
        NativeStatus.Check(NativeMethods.dc_tensor_data_ptr(Handle, out IntPtr data));
        return data;
    }

    /// <summary>Copies the raw bytes (row-major, native endianness) into <paramref name="destination"/>.</summary>
    public unsafe void CopyBytesTo(Span<byte> destination)
    {
        fixed (byte* dst = destination)
        {
            NativeStatus.Check(NativeMethods.dc_tensor_to_host(Handle, dst, destination.Length));
        }
    }

    /// <summary>Creates a CPU tensor from raw bytes (row-major, native endianness) of the given dtype and shape.</summary>
    public static unsafe Tensor FromBytes(ReadOnlySpan<byte> bytes, DType dtype, ReadOnlySpan<long> shape)
    {
        ValidateShape(shape);
        fixed (byte* src = bytes)
        fixed (long* p = shape)
        {
            return Wrap(NativeMethods.dc_tensor_from_host(src, bytes.Length, p, shape.Length, (int)dtype, out var r), r);
        }
    }

    /// <summary>Creates a CPU tensor from unmanaged memory (copied; the memory may be released afterwards).</summary>
    public static unsafe Tensor FromPointer(IntPtr data, long byteCount, DType dtype, ReadOnlySpan<long> shape)
    {
        ValidateShape(shape);
        fixed (long* p = shape)
        {
            return Wrap(NativeMethods.dc_tensor_from_host((void*)data, byteCount, p, shape.Length, (int)dtype, out var r), r);
        }
    }

    /// <summary>Converts dtype and/or device; returns a new handle to the same tensor when nothing changes unless <paramref name="copy"/>.</summary>
    public Tensor To(Device? device, DType? dtype, bool copy = false)
    {
        int devType = device is { } d ? (int)d.Type : -1;
        int devIndex = device is { } d2 ? d2.Index : -1;
        return Wrap(NativeMethods.dc_to(Handle, dtype is { } t ? (int)t : -1, devType, devIndex, copy ? 1 : 0, out var r), r);
    }

    /// <summary>Converts the dtype.</summary>
    public Tensor To(DType dtype) => To(null, dtype);

    /// <summary>Moves to a device.</summary>
    public Tensor To(Device device) => To(device, null);

    /// <summary>A tensor with dense strides in the given memory format (a new handle to this one if already so).</summary>
    public Tensor Contiguous(MemoryFormat format = MemoryFormat.Contiguous) =>
        Wrap(NativeMethods.dc_contiguous(Handle, (int)format, out var r), r);

    internal static int ElementCount(ReadOnlySpan<long> shape)
    {
        long n = 1;
        foreach (long s in shape) n *= s;
        return checked((int)n);
    }

    internal static ReadOnlySpan<byte> AsBytes<T>(ReadOnlySpan<T> span)
        where T : unmanaged => MemoryMarshal.AsBytes(span);
}
