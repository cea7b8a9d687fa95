using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch.Distributed;

/// <summary>
/// A rendezvous through one file that every rank opens (<c>c10d::FileStore</c>): for ranks on one machine, or on
/// machines sharing a file system, without a TCP port. The file must not be left over from an earlier run; the last
/// rank to release the store deletes it.
/// </summary>
public sealed class FileStore : Store
{
    /// <summary>Opens (creating if needed) the store file.</summary>
    /// <param name="path">The file every rank uses.</param>
    /// <param name="worldSize">The number of ranks.</param>
    /// <param name="timeout">How long a rank waits for the others' keys.</param>
    public FileStore(string path, int worldSize, TimeSpan timeout)
        : base(Open(path, worldSize, timeout), worldSize, $"file store {path}")
    {
        Path = path;
    }

    /// <summary>The store file.</summary>
    public string Path { get; }

    private static StoreHandle Open(string path, int worldSize, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        long ms = Milliseconds(timeout, nameof(timeout));
        NativeStatus.Check(NativeMethods.dc_store_file_new(path, worldSize, ms, out StoreHandle handle));
        return handle;
    }
}
