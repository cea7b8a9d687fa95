using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

public sealed partial class Tensor
{
    /// <summary>Selects entries along <paramref name="dim"/> at the int64 <paramref name="index"/> (torch.index_select).</summary>
    public Tensor IndexSelect(long dim, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        return Wrap(NativeMethods.dc_index_select(Handle, dim, index.Handle, out var r), r);
    }

    /// <summary>Gathers values along <paramref name="dim"/> at <paramref name="index"/> (torch.gather).</summary>
    public Tensor Gather(long dim, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        return Wrap(NativeMethods.dc_gather(Handle, dim, index.Handle, out var r), r);
    }

    /// <summary>A copy with <paramref name="source"/> written at <paramref name="index"/> along <paramref name="dim"/> (torch.scatter).</summary>
    public Tensor Scatter(long dim, Tensor index, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(source);
        return Wrap(NativeMethods.dc_scatter(Handle, dim, index.Handle, source.Handle, 0, out var r), r);
    }

    /// <summary>A copy with <paramref name="source"/> added at <paramref name="index"/> along <paramref name="dim"/> (torch.scatter_add).</summary>
    public Tensor ScatterAdd(long dim, Tensor index, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(source);
        return Wrap(NativeMethods.dc_scatter(Handle, dim, index.Handle, source.Handle, 1, out var r), r);
    }

    /// <summary>The elements where the boolean <paramref name="mask"/> is true, as a 1-D tensor (x[mask]).</summary>
    public Tensor MaskedSelect(Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        return Wrap(NativeMethods.dc_masked_select(Handle, mask.Handle, out var r), r);
    }

    /// <summary>Writes <paramref name="values"/> where the boolean <paramref name="mask"/> is true (x[mask] = values); returns this tensor.</summary>
    public Tensor IndexPutInPlace(Tensor mask, Tensor values)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(values);
        NativeStatus.Check(NativeMethods.dc_index_put_bool_(Handle, mask.Handle, values.Handle));
        return this;
    }

    /// <summary>One-hot encoding of an int64 tensor into <paramref name="numClasses"/> classes (torch.nn.functional.one_hot).</summary>
    public Tensor OneHot(long numClasses) => Wrap(NativeMethods.dc_one_hot(Handle, numClasses, out var r), r);

    /// <summary>Matrix product with broadcasting (torch.matmul).</summary>
    public Tensor MatMul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_matmul(Handle, other.Handle, out var r), r);
    }

    /// <summary>Batched matrix product of 3-D tensors (torch.bmm).</summary>
    public Tensor Bmm(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Wrap(NativeMethods.dc_bmm(Handle, other.Handle, out var r), r);
    }

    /// <summary>Einstein summation (torch.einsum).</summary>
    public static unsafe Tensor Einsum(string equation, params IReadOnlyList<Tensor> operands)
    {
        ArgumentNullException.ThrowIfNull(equation);
        ArgumentNullException.ThrowIfNull(operands);
        using var handles = new TensorHandleLease(operands);
        fixed (IntPtr* hs = handles.Pointers)
        {
            return Wrap(NativeMethods.dc_einsum(equation, hs, operands.Count, out var r), r);
        }
    }
}
