using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch.Nn;

/// <summary>
/// Operations on the gradients of a set of parameters (torch.nn.utils): clipping by total norm, making them finite, and
/// clearing them. Each is one native call for all parameters; parameters without a gradient are skipped.
/// </summary>
public static class GradientUtils
{
    /// <summary>
    /// Scales all gradients together so that their total <paramref name="normType"/>-norm (the norm of the vector of
    /// per-parameter norms) is at most <paramref name="maxNorm"/>: g ← g·min(1, maxNorm/(total + 1e-6))
    /// (torch.nn.utils.clip_grad_norm_; Pascanu et al. 2013).
    /// </summary>
    /// <param name="parameters">The parameters whose gradients to clip.</param>
    /// <param name="maxNorm">The largest allowed total norm.</param>
    /// <param name="normType">The p of the p-norm; <see cref="double.PositiveInfinity"/> for the max-norm.</param>
    /// <returns>The total norm before clipping (0 when no parameter has a gradient); NaN or ∞ if a gradient is not finite.</returns>
    public static unsafe double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2.0)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (double.IsNaN(maxNorm) || maxNorm < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "maxNorm must be a non-negative number.");
        }

        if (!(normType > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(normType), normType, "normType must be positive (or +infinity).");
        }

        Tensor[] ps = [.. parameters];
        double total;
        using var handles = new TensorHandleLease(ps);
        fixed (IntPtr* p = handles.Pointers)
        {
            NativeStatus.Check(NativeMethods.dc_clip_grad_norm_(p, ps.Length, maxNorm, normType, out total));
        }

        return total;
    }

    /// <summary>
    /// Replaces NaN, +∞ and −∞ in every gradient by 0, in place (the "make gradients finite" step of EDM2's training
    /// loop, Karras et al. 2024; torch.nan_to_num_(grad, 0, 0, 0)).
    /// </summary>
    public static unsafe void NanToNumGradients(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Tensor[] ps = [.. parameters];
        using var handles = new TensorHandleLease(ps);
        fixed (IntPtr* p = handles.Pointers)
        {
            NativeStatus.Check(NativeMethods.dc_grads_nan_to_num_(p, ps.Length));
        }
    }

    /// <summary>
    /// Clears the gradients (<paramref name="setToNone"/>, the default: the next backward allocates fresh ones) or sets
    /// them to zero in place (torch.optim.Optimizer.zero_grad / torch.nn.Module.zero_grad).
    /// </summary>
    public static unsafe void ZeroGrad(IEnumerable<Tensor> parameters, bool setToNone = true)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Tensor[] ps = [.. parameters];
        if (!setToNone)
        {
            using var scope = new TensorScope();
            using var noGrad = new NoGradScope();
            foreach (Tensor t in ps)
            {
                t.Grad?.ZeroInPlace();
            }

            return;
        }

        using var handles = new TensorHandleLease(ps);
        fixed (IntPtr* p = handles.Pointers)
        {
            NativeStatus.Check(NativeMethods.dc_zero_grad(p, ps.Length));
        }
    }
}
