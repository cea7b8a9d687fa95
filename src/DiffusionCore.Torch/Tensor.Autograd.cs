using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

public sealed partial class Tensor
{
    /// <summary>Whether autograd records operations on this tensor (leaf tensors only may be set).</summary>
    public bool RequiresGrad
    {
        get
        {
            NativeStatus.Check(NativeMethods.dc_requires_grad(Handle, out int r));
            return r != 0;
        }

        set => NativeStatus.Check(NativeMethods.dc_set_requires_grad(Handle, value ? 1 : 0));
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor.</summary>
    public Tensor RequiresGradInPlace(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>True for tensors created by the user rather than by a recorded operation.</summary>
    public bool IsLeaf
    {
        get
        {
            NativeStatus.Check(NativeMethods.dc_is_leaf(Handle, out int r));
            return r != 0;
        }
    }

    /// <summary>
    /// The accumulated gradient, or null when none was computed. Each read returns a new handle (owned by the current
    /// scope) to the same gradient tensor.
    /// </summary>
    public Tensor? Grad => WrapOptional(NativeMethods.dc_grad(Handle, out var r), r);

    /// <summary>Replaces the gradient (null clears it, as <c>zero_grad(set_to_none=True)</c>).</summary>
    public void SetGrad(Tensor? gradient)
    {
        NativeStatus.Check(NativeMethods.dc_set_grad(Handle, OptionalHandle(gradient)));
    }

    /// <summary>
    /// Back-propagates from this tensor, accumulating into the <see cref="Grad"/> of leaves. A non-scalar tensor needs
    /// <paramref name="gradient"/>. The graph is freed afterwards unless <paramref name="retainGraph"/>.
    /// </summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false)
    {
        NativeStatus.Check(NativeMethods.dc_backward(Handle, OptionalHandle(gradient), retainGraph || createGraph ? 1 : 0, createGraph ? 1 : 0));
    }

    /// <summary>A tensor sharing storage but cut from the autograd graph (torch.detach).</summary>
    public Tensor Detach() => Wrap(NativeMethods.dc_detach(Handle, 0, out var r), r);

    /// <summary>Cuts this tensor from the autograd graph in place; returns this tensor.</summary>
    public Tensor DetachInPlace()
    {
        NativeStatus.Check(NativeMethods.dc_detach(Handle, 1, out var r));
        r.Dispose();
        return this;
    }
}
