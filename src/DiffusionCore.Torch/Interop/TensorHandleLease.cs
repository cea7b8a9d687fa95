using System.Buffers;

namespace DiffusionCore.Torch.Interop;

/// <summary>
/// The raw native pointers of a list of tensors, for ONE native call that takes them as an array, with a reference held
/// on every tensor's handle until <see cref="Dispose"/>. A tensor disposed on another thread during the call is freed
/// only after it (the reference counting that P/Invoke applies to each single <see cref="TensorHandle"/> argument);
/// a tensor disposed before the lease throws <see cref="ObjectDisposedException"/> and nothing is called. Null entries
/// pass as null pointers. The arrays come from <see cref="ArrayPool{T}"/>, never from the stack, so a list of any length
/// is safe and a steady loop allocates nothing. Pin <see cref="Pointers"/> with <c>fixed</c> for the call.
/// </summary>
internal ref struct TensorHandleLease
{
    private readonly TensorHandle?[] _held;
    private readonly IntPtr[] _pointers;
    private readonly bool _rentedPointers;
    private readonly int _count;
    private int _acquired;

    /// <summary>References every tensor of <paramref name="tensors"/> and writes its pointer.</summary>
    /// <param name="tensors">The tensors, null where the native call accepts a null pointer.</param>
    /// <param name="destination">
    /// An array (at least as long as <paramref name="tensors"/>) the pointers are written to, e.g. one the native call also
    /// writes new handles into; null to use a pooled one.
    /// </param>
    /// <exception cref="ObjectDisposedException">A tensor is already disposed; the references taken so far are released.</exception>
    internal TensorHandleLease(IReadOnlyList<Tensor?> tensors, IntPtr[]? destination = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        _count = tensors.Count;
        if (destination is not null && destination.Length < _count)
        {
            throw new ArgumentException($"The pointer array holds {destination.Length} entries, fewer than the {_count} tensors.", nameof(destination));
        }

        _held = ArrayPool<TensorHandle?>.Shared.Rent(Math.Max(1, _count));
        _rentedPointers = destination is null;
        _pointers = destination ?? ArrayPool<IntPtr>.Shared.Rent(Math.Max(1, _count));
        try
        {
            for (int i = 0; i < _count; i++)
            {
                TensorHandle? handle = tensors[i]?.AcquireHandle();
                _held[i] = handle;
                _acquired = i + 1;
                _pointers[i] = handle is null ? IntPtr.Zero : handle.DangerousGetHandle();
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The pointers, one per tensor, in order.</summary>
    internal readonly Span<IntPtr> Pointers => _pointers.AsSpan(0, _count);

    /// <summary>Releases every reference (a tensor disposed meanwhile is freed now) and returns the pooled arrays.</summary>
    public void Dispose()
    {
        if (_held is null) return;
        for (int i = 0; i < _acquired; i++)
        {
            _held[i]?.DangerousRelease();
            _held[i] = null;
        }

        _acquired = 0;
        ArrayPool<TensorHandle?>.Shared.Return(_held);
        if (_rentedPointers) ArrayPool<IntPtr>.Shared.Return(_pointers);
        this = default;
    }
}
