using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

/// <summary>Functional autograd: gradients of outputs with respect to chosen inputs (torch.autograd.grad).</summary>
public static class Autograd
{
    /// <summary>
    /// Computes d(outputs)/d(inputs), weighting each output by its entry of <paramref name="gradOutputs"/> (required for
    /// non-scalar outputs). Returns one gradient per input; null where an input is unused and <paramref name="allowUnused"/>.
    /// </summary>
    public static unsafe Tensor?[] Grad(
        IReadOnlyList<Tensor> outputs,
        IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor?>? gradOutputs = null,
        bool retainGraph = false,
        bool createGraph = false,
        bool allowUnused = false)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        if (gradOutputs is not null && gradOutputs.Count != outputs.Count)
        {
            throw new ArgumentException($"gradOutputs has {gradOutputs.Count} entries but there are {outputs.Count} outputs.", nameof(gradOutputs));
        }

        var results = new IntPtr[inputs.Count];
        int rc;
        using (var outs = new TensorHandleLease(outputs))
        using (var ins = new TensorHandleLease(inputs))
        using (var gouts = new TensorHandleLease(gradOutputs ?? []))
        fixed (IntPtr* po = outs.Pointers, pi = ins.Pointers, pg = gouts.Pointers, pr = results)
        {
            rc = NativeMethods.dc_autograd_grad(
                po, outputs.Count, pi, inputs.Count, gradOutputs is null ? null : pg,
                retainGraph || createGraph ? 1 : 0, createGraph ? 1 : 0, allowUnused ? 1 : 0, pr);
        }

        NativeStatus.Check(rc);
        var grads = new Tensor?[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            grads[i] = Tensor.FromRaw(results[i]);
        }

        return grads;
    }

    /// <summary>Whether operations are currently recorded for autograd on this thread.</summary>
    public static bool IsGradEnabled
    {
        get
        {
            NativeStatus.Check(NativeMethods.dc_grad_mode_enabled(out int r));
            return r != 0;
        }
    }
}

/// <summary>Disables gradient recording on this thread until disposed (torch.no_grad). Dispose on the same thread.</summary>
public sealed class NoGradScope : IDisposable
{
    private readonly bool _previous;
    private bool _disposed;

    /// <summary>Enters no-grad mode.</summary>
    public NoGradScope()
    {
        _previous = Autograd.IsGradEnabled;
        NativeStatus.Check(NativeMethods.dc_set_grad_mode(0));
    }

    /// <summary>Restores the previous grad mode.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        NativeStatus.Check(NativeMethods.dc_set_grad_mode(_previous ? 1 : 0));
    }
}

/// <summary>
/// Inference mode on this thread until disposed (torch.inference_mode): no autograd graph, no version counters; the
/// fastest mode for sampling. Tensors created inside cannot later be used in autograd. Dispose on the same thread.
/// </summary>
public sealed class InferenceModeScope : IDisposable
{
    private IntPtr _guard;

    /// <summary>Enters inference mode.</summary>
    public InferenceModeScope() => NativeStatus.Check(NativeMethods.dc_inference_mode_enter(out _guard));

    /// <summary>Leaves inference mode.</summary>
    public void Dispose()
    {
        if (_guard == IntPtr.Zero) return;
        NativeStatus.Check(NativeMethods.dc_inference_mode_exit(_guard));
        _guard = IntPtr.Zero;
    }
}

/// <summary>
/// Automatic mixed precision on this thread until disposed (torch.autocast): eligible ops (matmul, convolution, linear)
/// run in <c>dtype</c> (bfloat16 on CPU; float16 or bfloat16 on CUDA) while precision-sensitive ops stay in float32.
/// </summary>
public sealed class AutocastScope : IDisposable
{
    private IntPtr _state;

    /// <summary>Enters autocast for a device type with the given lower-precision dtype.</summary>
    public AutocastScope(DeviceType deviceType = DeviceType.Cpu, DType dtype = DType.BFloat16, bool enabled = true)
    {
        if (dtype is not (DType.BFloat16 or DType.Float16))
        {
            throw new ArgumentException($"Autocast runs in bfloat16 or float16, not {dtype}.", nameof(dtype));
        }

        if (deviceType == DeviceType.Cpu && dtype != DType.BFloat16)
        {
            throw new ArgumentException("CPU autocast supports bfloat16 only.", nameof(dtype));
        }

        NativeStatus.Check(NativeMethods.dc_autocast_enter((int)deviceType, (int)dtype, enabled ? 1 : 0, out _state));
    }

    /// <summary>Restores the previous autocast state.</summary>
    public void Dispose()
    {
        if (_state == IntPtr.Zero) return;
        NativeStatus.Check(NativeMethods.dc_autocast_exit(_state));
        _state = IntPtr.Zero;
    }
}
