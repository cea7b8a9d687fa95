namespace DiffusionCore.Torch;

/// <summary>
/// A per-thread dispose scope: every tensor created on this thread while the scope is the innermost one is disposed
/// when the scope is disposed, unless it was detached (<see cref="Tensor.DetachFromScope"/>) or moved to the enclosing
/// scope (<see cref="Tensor.MoveToOuterScope"/>). Training and sampling loops open one per step, so native memory is
/// freed deterministically without <c>GC.Collect</c>. Scopes nest and must be disposed in reverse order of creation on
/// the thread that created them.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic]
    private static TensorScope? t_current;

    // The list of the last scope disposed on this thread, cleared, for the next scope to reuse: a scope per loop
    // iteration then allocates only the TensorScope object, not a list and its array as well.
    [ThreadStatic]
    private static List<Tensor>? t_spareList;

    private const int MaxPooledCapacity = 1024;

    private const int MinCompactThreshold = 256;

    private readonly List<Tensor> _owned;
    private readonly int _threadId;
    private int _compactThreshold = MinCompactThreshold;
    private bool _disposed;

    /// <summary>Opens a scope and makes it the innermost one on this thread.</summary>
    public TensorScope()
    {
        Outer = t_current;
        _threadId = Environment.CurrentManagedThreadId;
        _owned = t_spareList ?? new List<Tensor>();
        t_spareList = null;
        t_current = this;
    }

    /// <summary>The innermost open scope on this thread, or null.</summary>
    public static TensorScope? Current => t_current;

    /// <summary>The scope that was innermost when this one was opened.</summary>
    public TensorScope? Outer { get; }

    /// <summary>Number of tensors this scope will dispose (owned and not yet disposed).</summary>
    public int Count
    {
        get
        {
            if (_disposed) return 0;  // its list may already serve a newer scope on this thread
            int n = 0;
            foreach (Tensor t in _owned)
            {
                if (ReferenceEquals(t.Scope, this) && !t.IsDisposed) n++;
            }

            return n;
        }
    }

    /// <summary>Hands a new tensor to the innermost scope of this thread; false when there is none (the caller owns it).</summary>
    internal static bool Register(Tensor t)
    {
        TensorScope? s = t_current;
        if (s is null)
        {
            return false;
        }

        s.Add(t);
        return true;
    }

    internal void Add(Tensor t)
    {
        if (_disposed)
        {
            // Only reachable through a stale tensor (its scopes already gone): the caller owns it, and this scope's list,
            // which may serve a newer scope by now, is left alone.
            t.Scope = null;
            return;
        }

        t.Scope = this;
        if (_owned.Count >= _compactThreshold)
        {
            Compact();
        }

        _owned.Add(t);
    }

    // A long-lived scope (one per training run, receiving each step's result through MoveToOuterScope while the
    // previous one is disposed) would otherwise keep every dead Tensor reachable until it ends. Dropping entries that
    // were disposed, moved or detached whenever the list doubles keeps it proportional to what it really owns, at
    // amortised O(1) per tensor.
    private void Compact()
    {
        _owned.RemoveAll(t =>
        {
            if (!ReferenceEquals(t.Scope, this)) return true;
            if (!t.IsDisposed) return false;
            t.Scope = null;  // no stale link back to this scope
            return true;
        });
        _compactThreshold = Math.Max(MinCompactThreshold, 2 * _owned.Count);
    }

    /// <summary>Disposes every tensor still owned by this scope and restores the enclosing scope.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (Environment.CurrentManagedThreadId != _threadId)
        {
            throw new InvalidOperationException("A TensorScope must be disposed on the thread that opened it.");
        }

        if (!ReferenceEquals(t_current, this))
        {
            throw new InvalidOperationException("TensorScopes must be disposed innermost first; an inner scope is still open.");
        }

        _disposed = true;
        t_current = Outer;
        foreach (Tensor t in _owned)
        {
            if (ReferenceEquals(t.Scope, this))
            {
                t.Scope = null;
                t.Dispose();
            }
        }

        _owned.Clear();
        if (_owned.Capacity <= MaxPooledCapacity) t_spareList = _owned;
    }
}
