using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

public sealed partial class Tensor
{
    private unsafe Tensor Reduce(int op, ReadOnlySpan<long> dims, bool keepDim)
    {
        fixed (long* p = dims)
        {
            return Wrap(NativeMethods.dc_reduce(op, Handle, p, dims.Length, keepDim ? 1 : 0, out var r), r);
        }
    }

    /// <summary>Sum of all elements (a 0-d tensor).</summary>
    public Tensor Sum() => Reduce(0, default, false);

    /// <summary>Sum over the given dimensions.</summary>
    public Tensor Sum(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(0, RequireDims(dims), keepDim);

    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Reduce(1, default, false);

    /// <summary>Mean over the given dimensions.</summary>
    public Tensor Mean(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(1, RequireDims(dims), keepDim);

    /// <summary>Maximum of all elements.</summary>
    public Tensor Max() => Reduce(2, default, false);

    /// <summary>Maximum over the given dimensions (values only; torch.amax).</summary>
    public Tensor Amax(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(2, RequireDims(dims), keepDim);

    /// <summary>Minimum of all elements.</summary>
    public Tensor Min() => Reduce(3, default, false);

    /// <summary>Minimum over the given dimensions (values only; torch.amin).</summary>
    public Tensor Amin(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(3, RequireDims(dims), keepDim);

    /// <summary>Product of all elements.</summary>
    public Tensor Prod() => Reduce(4, default, false);

    /// <summary>Product over one dimension.</summary>
    public Tensor Prod(long dim, bool keepDim = false) => Reduce(4, [dim], keepDim);

    /// <summary>log Σ exp over the given dimensions (all when empty).</summary>
    public Tensor LogSumExp(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(5, dims, keepDim);

    /// <summary>True when every element is non-zero.</summary>
    public Tensor All() => Reduce(6, default, false);

    /// <summary>True where every element along <paramref name="dim"/> is non-zero.</summary>
    public Tensor All(long dim, bool keepDim = false) => Reduce(6, [dim], keepDim);

    /// <summary>True when any element is non-zero.</summary>
    public Tensor Any() => Reduce(7, default, false);

    /// <summary>True where any element along <paramref name="dim"/> is non-zero.</summary>
    public Tensor Any(long dim, bool keepDim = false) => Reduce(7, [dim], keepDim);

    /// <summary>Variance with Bessel-style <paramref name="correction"/> (1 = unbiased) over dims (all when empty).</summary>
    public unsafe Tensor Var(ReadOnlySpan<long> dims = default, long correction = 1, bool keepDim = false)
    {
        fixed (long* p = dims)
        {
            return Wrap(NativeMethods.dc_var(Handle, p, dims.Length, correction, keepDim ? 1 : 0, 0, out var r), r);
        }
    }

    /// <summary>Standard deviation with <paramref name="correction"/> over dims (all when empty).</summary>
    public unsafe Tensor Std(ReadOnlySpan<long> dims = default, long correction = 1, bool keepDim = false)
    {
        fixed (long* p = dims)
        {
            return Wrap(NativeMethods.dc_var(Handle, p, dims.Length, correction, keepDim ? 1 : 0, 1, out var r), r);
        }
    }

    /// <summary>The p-norm over dims (all elements when empty).</summary>
    public unsafe Tensor Norm(double p = 2, ReadOnlySpan<long> dims = default, bool keepDim = false)
    {
        fixed (long* d = dims)
        {
            return Wrap(NativeMethods.dc_norm(Handle, p, d, dims.Length, keepDim ? 1 : 0, out var r), r);
        }
    }

    /// <summary>Maximum along a dimension with the index of each maximum.</summary>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false)
    {
        int rc = NativeMethods.dc_max_dim(0, Handle, dim, keepDim ? 1 : 0, out var v, out var i);
        return (Wrap(rc, v), Wrap(rc, i));
    }

    /// <summary>Minimum along a dimension with the index of each minimum.</summary>
    public (Tensor Values, Tensor Indices) Min(long dim, bool keepDim = false)
    {
        int rc = NativeMethods.dc_max_dim(1, Handle, dim, keepDim ? 1 : 0, out var v, out var i);
        return (Wrap(rc, v), Wrap(rc, i));
    }

    /// <summary>Index of the maximum along a dimension.</summary>
    public Tensor ArgMax(long dim, bool keepDim = false)
    {
        (Tensor values, Tensor indices) = Max(dim, keepDim);
        values.Dispose();
        return indices;
    }

    /// <summary>Index of the minimum along a dimension.</summary>
    public Tensor ArgMin(long dim, bool keepDim = false)
    {
        (Tensor values, Tensor indices) = Min(dim, keepDim);
        values.Dispose();
        return indices;
    }

    /// <summary>Cumulative sum along a dimension.</summary>
    public Tensor CumSum(long dim) => Wrap(NativeMethods.dc_cumsum(Handle, dim, out var r), r);

    private static ReadOnlySpan<long> RequireDims(ReadOnlySpan<long> dims)
    {
        if (dims.IsEmpty)
        {
            throw new ArgumentException("Give at least one dimension, or call the overload without dims to reduce all elements.", nameof(dims));
        }

        return dims;
    }
}
