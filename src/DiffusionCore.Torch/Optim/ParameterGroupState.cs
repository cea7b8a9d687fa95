using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch.Optim;

/// <summary>
/// The per-parameter state of one parameter group: named tensor slots (e.g. exp_avg, exp_avg_sq) created lazily by the
/// native step, and per-parameter step counts; plus the pointer arrays handed to the native step.
/// </summary>
internal sealed class ParameterGroupState
{
    private readonly IntPtr[] _parameterPointers;
    private readonly IntPtr[][] _slotPointers;

    internal ParameterGroupState(int parameterCount, int slotCount)
    {
        Slots = new Tensor?[slotCount][];
        _slotPointers = new IntPtr[slotCount][];
        for (int s = 0; s < slotCount; s++)
        {
            Slots[s] = new Tensor?[parameterCount];
            _slotPointers[s] = new IntPtr[parameterCount];
        }

        Steps = new long[parameterCount];
        _parameterPointers = new IntPtr[parameterCount];
    }

    /// <summary>State tensors by [slot][parameter]; null until created.</summary>
    internal Tensor?[][] Slots { get; }

    /// <summary>Updates applied to each parameter so far.</summary>
    internal long[] Steps { get; }

    /// <summary>The parameters' native pointers, refreshed and referenced until the lease is disposed (after the native step).</summary>
    internal TensorHandleLease LeaseParameters(IReadOnlyList<Tensor> parameters) => new(parameters, _parameterPointers);

    /// <summary>
    /// A slot's native pointers (zero where not yet created), refreshed and referenced until the lease is disposed; the
    /// native step writes the handles it creates into the zero entries (see <see cref="AdoptCreated"/>).
    /// </summary>
    internal TensorHandleLease LeaseSlot(int slot) => new(Slots[slot], _slotPointers[slot]);

    /// <summary>
    /// Takes ownership of the handles the native step created in a slot's pointer array (entries that were zero
    /// before), outside any <see cref="TensorScope"/>. Call after every native step, also when it failed.
    /// </summary>
    internal void AdoptCreated(int slot)
    {
        Tensor?[] tensors = Slots[slot];
        IntPtr[] raw = _slotPointers[slot];
        for (int i = 0; i < raw.Length; i++)
        {
            if (tensors[i] is null && raw[i] != IntPtr.Zero)
            {
                tensors[i] = Tensor.FromRaw(raw[i])!.DetachFromScope();
            }
        }
    }

    /// <summary>Replaces a state tensor (disposing the old one); the state takes ownership.</summary>
    internal void Set(int slot, int parameter, Tensor? tensor)
    {
        Slots[slot][parameter]?.Dispose();
        Slots[slot][parameter] = tensor?.DetachFromScope();
    }

    /// <summary>Disposes every state tensor and forgets it (step counts are kept).</summary>
    internal void Clear()
    {
        foreach (Tensor?[] slot in Slots)
        {
            for (int i = 0; i < slot.Length; i++)
            {
                slot[i]?.Dispose();
                slot[i] = null;
            }
        }
    }
}
