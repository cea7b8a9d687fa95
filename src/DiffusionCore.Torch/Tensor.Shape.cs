using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

public sealed partial class Tensor
{
    /// <summary>A tensor with the same elements in a new shape (one size may be −1; torch.reshape).</summary>
    public unsafe Tensor Reshape(params ReadOnlySpan<long> shape)
    {
        fixed (long* p = shape)
        {
            return Wrap(NativeMethods.dc_reshape(Handle, p, shape.Length, out var r), r);
        }
    }

    /// <summary>A view with a new shape; fails for incompatible strides (torch.view).</summary>
    public unsafe Tensor View(params ReadOnlySpan<long> shape)
    {
        fixed (long* p = shape)
        {
            return Wrap(NativeMethods.dc_view(Handle, p, shape.Length, out var r), r);
        }
    }

    /// <summary>A broadcast view to a larger shape (−1 keeps a size; torch.expand).</summary>
    public unsafe Tensor Expand(params ReadOnlySpan<long> shape)
    {
        fixed (long* p = shape)
        {
            return Wrap(NativeMethods.dc_expand(Handle, p, shape.Length, out var r), r);
        }
    }

    /// <summary>Tiles the tensor the given number of times along each dimension (torch.repeat).</summary>
    public unsafe Tensor Repeat(params ReadOnlySpan<long> repeats)
    {
        fixed (long* p = repeats)
        {
            return Wrap(NativeMethods.dc_repeat(Handle, p, repeats.Length, out var r), r);
        }
    }

    /// <summary>Reorders dimensions (torch.permute).</summary>
    public unsafe Tensor Permute(params ReadOnlySpan<long> dims)
    {
        fixed (long* p = dims)
        {
            return Wrap(NativeMethods.dc_permute(Handle, p, dims.Length, out var r), r);
        }
    }

    /// <summary>Reverses the order of elements along the given dimensions (torch.flip).</summary>
    public unsafe Tensor Flip(params ReadOnlySpan<long> dims)
    {
        fixed (long* p = dims)
        {
            return Wrap(NativeMethods.dc_flip(Handle, p, dims.Length, out var r), r);
        }
    }

    /// <summary>Rolls elements along dimensions, wrapping around (torch.roll).</summary>
    public unsafe Tensor Roll(ReadOnlySpan<long> shifts, ReadOnlySpan<long> dims)
    {
        if (shifts.Length != dims.Length)
        {
            throw new ArgumentException($"Roll needs one shift per dimension; got {shifts.Length} shifts for {dims.Length} dims.", nameof(shifts));
        }

        fixed (long* s = shifts)
        fixed (long* d = dims)
        {
            return Wrap(NativeMethods.dc_roll(Handle, s, d, dims.Length, out var r), r);
        }
    }

    /// <summary>Swaps two dimensions (torch.transpose).</summary>
    public Tensor Transpose(long dim0, long dim1) => Wrap(NativeMethods.dc_transpose(Handle, dim0, dim1, out var r), r);

    /// <summary>Flattens dimensions start..end into one (torch.flatten).</summary>
    public Tensor Flatten(long startDim = 0, long endDim = -1) => Wrap(NativeMethods.dc_flatten(Handle, startDim, endDim, out var r), r);

    /// <summary>Inserts a dimension of size 1 (torch.unsqueeze).</summary>
    public Tensor Unsqueeze(long dim) => Wrap(NativeMethods.dc_unsqueeze(Handle, dim, out var r), r);

    /// <summary>Removes one dimension of size 1, or all of them when <paramref name="dim"/> is null (torch.squeeze).</summary>
    public Tensor Squeeze(long? dim = null) => Wrap(NativeMethods.dc_squeeze(Handle, dim ?? long.MinValue, out var r), r);

    /// <summary>A view of <paramref name="length"/> elements along a dimension starting at <paramref name="start"/> (torch.narrow).</summary>
    public Tensor Narrow(long dim, long start, long length) => Wrap(NativeMethods.dc_narrow(Handle, dim, start, length, out var r), r);

    /// <summary>A view of one index along a dimension, which is removed (torch.select).</summary>
    public Tensor Select(long dim, long index) => Wrap(NativeMethods.dc_select(Handle, dim, index, out var r), r);

    /// <summary>The sub-tensor at <paramref name="index"/> along the first dimension.</summary>
    public Tensor this[long index] => Select(0, index);

    /// <summary>Splits into <paramref name="chunks"/> nearly equal pieces along a dimension (torch.chunk).</summary>
    public unsafe Tensor[] Chunk(long chunks, long dim = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunks, 1);
        int cap = checked((int)chunks);
        var outs = new IntPtr[cap];
        fixed (IntPtr* o = outs)
        {
            NativeStatus.Check(NativeMethods.dc_split(Handle, null, 0, chunks, dim, o, cap, out int count));
            return TakeMany(outs, count);
        }
    }

    /// <summary>Splits into pieces of the given sizes along a dimension (torch.split with a list).</summary>
    public unsafe Tensor[] Split(ReadOnlySpan<long> sizes, long dim = 0)
    {
        var outs = new IntPtr[sizes.Length];
        fixed (long* s = sizes)
        fixed (IntPtr* o = outs)
        {
            NativeStatus.Check(NativeMethods.dc_split(Handle, s, sizes.Length, 0, dim, o, sizes.Length, out int count));
            return TakeMany(outs, count);
        }
    }

    /// <summary>Concatenates tensors along an existing dimension (torch.cat).</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);

    /// <summary>Stacks tensors along a new dimension (torch.stack).</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    private static unsafe Tensor Join(IReadOnlyList<Tensor> tensors, long dim, bool stack)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException($"{(stack ? "Stack" : "Cat")} needs at least one tensor.", nameof(tensors));
        }

        using var handles = new TensorHandleLease(tensors);
        fixed (IntPtr* hs = handles.Pointers)
        {
            return Wrap(NativeMethods.dc_cat(hs, tensors.Count, dim, stack ? 1 : 0, out var r), r);
        }
    }

    private static Tensor[] TakeMany(IntPtr[] raw, int count)
    {
        var result = new Tensor[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = FromRaw(raw[i])!;
        }

        return result;
    }
}
