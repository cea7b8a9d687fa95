using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch.Distributed;

/// <summary>
/// A rendezvous store (libtorch's <c>c10d::Store</c>): the key-value service through which the ranks of a
/// <see cref="ProcessGroup"/> exchange their addresses once, at creation. A process group keeps its store alive, so a
/// store may be disposed once the group exists.
/// </summary>
public abstract class Store : IDisposable
{
    private protected Store(StoreHandle handle, int worldSize, string description)
    {
        Handle = handle;
        WorldSize = worldSize;
        Description = description;
    }

    /// <summary>The number of ranks that meet through this store.</summary>
    public int WorldSize { get; }

    /// <summary>Where the store is, for messages ("TCP store 10.0.0.1:29500", "file store /shared/run/store").</summary>
    public string Description { get; }

    internal StoreHandle Handle { get; }

    /// <summary>Releases this process's reference to the store.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => Description;

    /// <summary>Releases the native store.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing) Handle.Dispose();
    }

    private protected static long Milliseconds(TimeSpan timeout, string parameterName)
    {
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(parameterName, timeout, "The timeout must be positive.");
        return (long)Math.Ceiling(timeout.TotalMilliseconds);
    }
}
