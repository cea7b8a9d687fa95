using System.Runtime.CompilerServices;
using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

/// <summary>
/// A libtorch tensor. Owns its native handle through a <see cref="System.Runtime.InteropServices.SafeHandle"/>;
/// dispose it (or let the enclosing <see cref="TensorScope"/> do so) to free native memory deterministically.
/// Operations never modify their inputs unless their name ends in <c>InPlace</c>.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly TensorHandle _handle;

    // Set by Dispose. The handle itself closes only when no native call holds a reference to it any more (a call on
    // another thread may still be using the tensor), but from Dispose on the tensor refuses new uses.
    private volatile bool _disposed;

    internal Tensor(TensorHandle handle)
    {
        _handle = handle;
        if (!TensorScope.Register(this))
        {
            NativeMemoryPressure.Track(this, handle);
        }
    }

    /// <summary>The scope that will dispose this tensor, or null when the caller owns it.</summary>
    internal TensorScope? Scope { get; set; }

    internal TensorHandle Handle
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_disposed || _handle.IsClosed)
            {
                ThrowDisposed();
            }

            return _handle;
        }
    }

    /// <summary>True once the tensor was disposed (explicitly or by its scope).</summary>
    public bool IsDisposed => _disposed || _handle.IsClosed;

    /// <summary>
    /// Frees the native tensor: at once, or, while a native call on another thread is still using it, when that call
    /// returns. Any use after this throws <see cref="ObjectDisposedException"/>. Views of it stay valid: libtorch
    /// reference-counts storage.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        _handle.Dispose();
    }

    /// <summary>Removes the tensor from its <see cref="TensorScope"/>: the caller now owns it and must dispose it.</summary>
    public Tensor DetachFromScope()
    {
        Scope = null;
        return this;
    }

    /// <summary>Hands the tensor to the scope enclosing its current one (or to the caller if there is none).</summary>
    public Tensor MoveToOuterScope()
    {
        TensorScope? outer = Scope?.Outer;
        Scope = null;
        outer?.Add(this);
        return this;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDisposed() => throw new ObjectDisposedException(
        nameof(Tensor),
        "This tensor was disposed, explicitly or by the TensorScope it was created in. To use a tensor after its scope " +
        "ends, call MoveToOuterScope() or DetachFromScope() on it before the scope is disposed.");

    /// <summary>Wraps a freshly returned handle or throws the typed error for a failed status.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tensor Wrap(int status, TensorHandle result)
    {
        if (status != NativeStatus.Ok)
        {
            result.Dispose();
            throw NativeStatus.Create(status);
        }

        return new Tensor(result);
    }

    /// <summary>Wraps a possibly null handle (undefined tensor) as null.</summary>
    internal static Tensor? WrapOptional(int status, TensorHandle result)
    {
        if (status != NativeStatus.Ok)
        {
            result.Dispose();
            throw NativeStatus.Create(status);
        }

        if (result.IsInvalid)
        {
            result.Dispose();
            return null;
        }

        return new Tensor(result);
    }

    /// <summary>Wraps a raw handle returned through an array out-parameter.</summary>
    internal static Tensor? FromRaw(IntPtr raw)
    {
        if (raw == IntPtr.Zero)
        {
            return null;
        }

        var h = new TensorHandle();
        System.Runtime.InteropServices.Marshal.InitHandle(h, raw);
        return new Tensor(h);
    }

    /// <summary>
    /// The handle of an optional tensor argument: <see cref="TensorHandle.None"/> (a null pointer) when absent. Passed as a
    /// SafeHandle, it is referenced for the duration of the native call like every other tensor argument.
    /// </summary>
    internal static TensorHandle OptionalHandle(Tensor? t) => t is null ? TensorHandle.None : t.Handle;

    /// <summary>
    /// Adds a reference to the native handle for a native call that takes raw pointers (array arguments; see
    /// <see cref="TensorHandleLease"/>): a <see cref="Dispose"/> meanwhile, on any thread, frees the tensor only when
    /// the reference is released with <see cref="System.Runtime.InteropServices.SafeHandle.DangerousRelease"/>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The tensor is already disposed.</exception>
    internal TensorHandle AcquireHandle()
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            ThrowDisposed();
        }

        if (_disposed)
        {
            _handle.DangerousRelease();
            ThrowDisposed();
        }

        return _handle;
    }

    /// <summary>A new handle to the same tensor (same storage and autograd identity), owned separately.</summary>
    public Tensor Alias() => Wrap(NativeMethods.dc_tensor_shallow_clone(Handle, out var r), r);

    /// <inheritdoc />
    public override string ToString()
    {
        if (IsDisposed)
        {
            return "Tensor(disposed)";
        }

        return $"Tensor(shape=[{string.Join(", ", Shape)}], dtype={DType}, device={Device}{(RequiresGrad ? ", requires_grad" : string.Empty)})";
    }
}
