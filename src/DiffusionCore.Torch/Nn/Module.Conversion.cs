using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch.Nn;

public abstract partial class Module
{
    /// <summary>
    /// Moves every parameter and buffer (and existing gradients) to <paramref name="device"/> and casts the
    /// floating-point ones to <paramref name="dtype"/>; integer and boolean tensors keep their dtype
    /// (torch.nn.Module.to). Tensors are converted in place of their data, so they keep their identity: references held
    /// elsewhere, including optimizers, see the converted tensors, as in PyTorch.
    /// </summary>
    /// <returns>This module.</returns>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not a floating-point dtype.</exception>
    public Module To(Device? device, DType? dtype)
    {
        ThrowIfDisposed();
        if (dtype is { } dt && !dt.IsFloatingPoint())
        {
            throw new ArgumentException($"Module.To only accepts floating-point dtypes, not {dt} (as torch.nn.Module.to).", nameof(dtype));
        }

        using var noGrad = new NoGradScope();
        using var scope = new TensorScope();
        foreach ((string _, Module module) in WalkModules(string.Empty, new HashSet<Module>(ReferenceEqualityComparer.Instance)))
        {
            foreach (Tensor? t in module._parameters.Values)
            {
                if (t is not null)
                {
                    ConvertInPlace(t, device, dtype);
                    if (t.Grad is { } grad)
                    {
                        ConvertInPlace(grad, device, dtype);
                    }
                }
            }

            foreach (Tensor? t in module._buffers.Values)
            {
                if (t is not null)
                {
                    ConvertInPlace(t, device, dtype);
                }
            }
        }

        return this;
    }

    /// <summary>Casts floating-point parameters and buffers to <paramref name="dtype"/> (torch.nn.Module.to(dtype)).</summary>
    /// <returns>This module.</returns>
    public Module To(DType dtype) => To(null, dtype);

    /// <summary>Moves parameters and buffers to <paramref name="device"/> (torch.nn.Module.to(device)).</summary>
    /// <returns>This module.</returns>
    public Module To(Device device) => To(device, null);

    private static void ConvertInPlace(Tensor t, Device? device, DType? dtype)
    {
        DType current = t.DType;
        DType? target = dtype is { } d && current.IsFloatingPoint() && d != current ? d : null;
        Device? move = device is { } dev && !SameDevice(t.Device, dev) ? dev : null;
        if (target is null && move is null)
        {
            return;
        }

        Tensor converted = t.To(move, target);
        NativeStatus.Check(NativeMethods.dc_tensor_set_data(t.Handle, converted.Handle));
    }

    private static bool SameDevice(Device actual, Device requested) =>
        actual.Type == requested.Type && (requested.Index < 0 || actual.Index == requested.Index);
}
