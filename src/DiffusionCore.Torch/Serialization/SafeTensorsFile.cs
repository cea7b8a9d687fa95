using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;

namespace DiffusionCore.Torch.Serialization;

/// <summary>
/// An open safetensors file (https://github.com/huggingface/safetensors): the header is parsed and fully validated by
/// <see cref="Open"/>, the data section is memory-mapped, and each <see cref="Read(string, Device?)"/> copies one tensor
/// straight from the mapped pages into a new libtorch tensor, so a large file is never held in managed memory and
/// never held twice. Use it to stream tensors one at a time (post-hoc EMA snapshots, partial loads); use
/// <see cref="SafeTensors.Load"/> to read a whole file at once.
/// </summary>
/// <remarks>
/// Tensors returned by <see cref="Read(string, Device?)"/> and <see cref="ReadAll"/> are ordinary tensors owned by the
/// caller's current <see cref="TensorScope"/> (or by the caller when there is none); they do not depend on this object
/// and stay valid after it is disposed. <see cref="Read(string, Device?)"/> may be called from several threads at once.
/// Another process must not shrink the file while it is open: each read checks the length first, but a file truncated
/// in the middle of a copy cannot be detected on every platform.
/// </remarks>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>The largest header accepted, in bytes (the limit of the reference implementation: 100 MB).</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const int LengthPrefixBytes = 8;

    private readonly FileStream _stream;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly long _fileLength;
    private readonly Dictionary<string, SafeTensorsEntry> _byName;
    private bool _disposed;

    private SafeTensorsFile(string path, FileStream stream, MemoryMappedFile? map, MemoryMappedViewAccessor? view, long fileLength, long dataStart, SafeTensorsHeader header)
    {
        Path = path;
        _stream = stream;
        _map = map;
        _view = view;
        _fileLength = fileLength;
        DataStart = dataStart;
        Entries = header.Entries;
        Metadata = header.Metadata;
        Names = header.Entries.Select(static e => e.Name).ToArray();
        _byName = header.Entries.ToDictionary(static e => e.Name, StringComparer.Ordinal);
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <summary>The <c>__metadata__</c> string map of the header; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Every tensor's description, in the order of their bytes in the data section; no data is read.</summary>
    public IReadOnlyList<SafeTensorsEntry> Entries { get; }

    /// <summary>The tensor names, in the order of <see cref="Entries"/>.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Offset of the data section from the start of the file (8 + header length).</summary>
    public long DataStart { get; }

    /// <summary>
    /// Opens a safetensors file and validates its whole header before any data is touched: header length, UTF-8
    /// JSON object, every entry's dtype, shape and offsets, and that the byte ranges tile the data section with no
    /// overlap and no hole.
    /// </summary>
    /// <param name="path">The file to open.</param>
    /// <returns>The open file; dispose it to unmap the file.</returns>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file; the message says why.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        EnsureLittleEndian();
        string full = System.IO.Path.GetFullPath(path);
        var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            long fileLength = stream.Length;
            if (fileLength < LengthPrefixBytes)
            {
                throw new SafeTensorsFormatException(full, null,
                    $"the file has {fileLength} bytes, fewer than the 8-byte header length that starts every safetensors file (truncated, or not a safetensors file)");
            }

            Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
            stream.ReadExactly(prefix);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > MaxHeaderLength)
            {
                throw new SafeTensorsFormatException(full, null,
                    $"the header length is {headerLength} bytes, more than the {MaxHeaderLength}-byte limit (corrupt length, or not a safetensors file)");
            }

            if (headerLength > (ulong)(fileLength - LengthPrefixBytes))
            {
                throw new SafeTensorsFormatException(full, null,
                    $"the header length is {headerLength} bytes but only {fileLength - LengthPrefixBytes} bytes follow the 8-byte length (the file is truncated or the length is corrupt)");
            }

            var header = new byte[(int)headerLength];
            stream.ReadExactly(header);
            long dataStart = LengthPrefixBytes + (long)headerLength;
            long dataLength = fileLength - dataStart;
            SafeTensorsHeader parsed = SafeTensorsHeaderParser.Parse(header, dataLength, full);

            if (dataLength > 0)
            {
                map = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
                view = map.CreateViewAccessor(dataStart, dataLength, MemoryMappedFileAccess.Read);
            }

            return new SafeTensorsFile(full, stream, map, view, fileLength, dataStart, parsed);
        }
        catch
        {
            view?.Dispose();
            map?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Whether the file holds a tensor of this name.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>True when the header has an entry for <paramref name="name"/>.</returns>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Looks up a tensor's description without reading its data.</summary>
    /// <param name="name">The tensor name.</param>
    /// <param name="entry">The description, when found.</param>
    /// <returns>True when the file holds a tensor of this name.</returns>
    public bool TryGetEntry(string name, [NotNullWhen(true)] out SafeTensorsEntry? entry) => _byName.TryGetValue(name, out entry);

    /// <summary>A tensor's description, without reading its data.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The description.</returns>
    /// <exception cref="KeyNotFoundException">The file has no tensor of this name.</exception>
    public SafeTensorsEntry GetEntry(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out SafeTensorsEntry? entry)
            ? entry
            : throw new KeyNotFoundException($"The safetensors file '{Path}' has no tensor named '{name}' (it holds {Entries.Count} tensors).");
    }

    /// <summary>
    /// Reads one tensor: its bytes are copied from the mapped file straight into a new libtorch tensor on the CPU and,
    /// when <paramref name="device"/> names another device, moved there. The tensor belongs to the caller's current
    /// <see cref="TensorScope"/>, or to the caller when no scope is open.
    /// </summary>
    /// <param name="name">The tensor name.</param>
    /// <param name="device">Where the tensor should live; null or CPU keeps it on the CPU.</param>
    /// <returns>A new tensor with the stored dtype, shape and bytes.</returns>
    /// <exception cref="KeyNotFoundException">The file has no tensor of this name.</exception>
    /// <exception cref="SafeTensorsFormatException">The file was shortened since it was opened.</exception>
    public Tensor Read(string name, Device? device = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ReadEntry(GetEntry(name), device);
    }

    /// <summary>
    /// Reads every tensor, one at a time, in file order. The tensors belong to the caller's current
    /// <see cref="TensorScope"/> (or to the caller); if one read fails, the tensors already read are disposed.
    /// </summary>
    /// <param name="device">Where the tensors should live; null or CPU keeps them on the CPU.</param>
    /// <returns>Name → tensor, enumerating in the order of <see cref="Entries"/>.</returns>
    public IReadOnlyDictionary<string, Tensor> ReadAll(Device? device = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = new OrderedDictionary<string, Tensor>(Entries.Count, StringComparer.Ordinal);
        try
        {
            foreach (SafeTensorsEntry entry in Entries)
            {
                result.Add(entry.Name, ReadEntry(entry, device));
            }
        }
        catch
        {
            foreach (Tensor t in result.Values)
            {
                t.Dispose();
            }

            throw;
        }

        return result;
    }

    /// <summary>Unmaps and closes the file. Tensors already read stay valid.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _view?.Dispose();
        _map?.Dispose();
        _stream.Dispose();
    }

    private unsafe Tensor ReadEntry(SafeTensorsEntry entry, Device? device)
    {
        Tensor cpu;
        if (entry.ByteLength == 0)
        {
            cpu = Tensor.FromPointer(IntPtr.Zero, 0, entry.DType, entry.ShapeArray);
        }
        else
        {
            CheckUnchanged(entry);
            SafeMemoryMappedViewHandle handle = _view!.SafeMemoryMappedViewHandle;
            byte* basePointer = null;
            handle.AcquirePointer(ref basePointer);
            try
            {
                byte* source = basePointer + _view.PointerOffset + entry.DataBegin;
                cpu = Tensor.FromPointer((IntPtr)source, entry.ByteLength, entry.DType, entry.ShapeArray);
            }
            finally
            {
                handle.ReleasePointer();
            }
        }

        if (device is not { } target || target.Type == DeviceType.Cpu)
        {
            return cpu;
        }

        try
        {
            return cpu.To(target);
        }
        finally
        {
            cpu.Dispose();
        }
    }

    /// <summary>Refuses to read past the end of a file that another process shortened (the mapping would fault).</summary>
    private void CheckUnchanged(SafeTensorsEntry entry)
    {
        long length = _stream.Length;
        if (length < _fileLength)
        {
            throw new SafeTensorsFormatException(Path, entry.Name,
                $"the file shrank from {_fileLength} to {length} bytes since it was opened; it was modified while being read");
        }
    }

    internal static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors stores little-endian data; big-endian hosts are not supported.");
        }
    }
}
