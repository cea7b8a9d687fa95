using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace DiffusionCore.Torch.Serialization;

/// <summary>
/// An open safetensors file (https://github.com/huggingface/safetensors): the header is parsed and fully validated by
/// <see cref="Open"/>, and each <see cref="Read(string, Device?)"/> reads one tensor's bytes from the file straight into
/// the storage of a new libtorch tensor (positioned reads, no memory mapping), so a large file is never held in managed
/// memory and never held twice. Use it to stream tensors one at a time (post-hoc EMA snapshots, partial loads); use
/// <see cref="SafeTensors.Load"/> to read a whole file at once.
/// </summary>
/// <remarks>
/// Tensors returned by <see cref="Read(string, Device?)"/> and <see cref="ReadAll"/> are ordinary tensors owned by the
/// caller's current <see cref="TensorScope"/> (or by the caller when there is none); they do not depend on this object
/// and stay valid after it is disposed. <see cref="Read(string, Device?)"/> may be called from several threads at once.
/// A file that another process shortens or rewrites while it is read gives a <see cref="SafeTensorsFormatException"/>
/// (or, when its bytes change without changing its length, a checksum mismatch if the file has
/// <see cref="HasChecksums"/>), never a crash.
/// </remarks>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>The largest header accepted, in bytes (the limit of the reference implementation: 100 MB).</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const int LengthPrefixBytes = 8;

    // Bytes per positioned read: large enough that the system call costs nothing, small enough that the checksum reads
    // them again from the CPU cache.
    private const int ReadChunkBytes = 1 << 20;

    private readonly SafeFileHandle _file;
    private readonly Dictionary<string, SafeTensorsEntry> _byName;
    private readonly Dictionary<string, ulong>? _checksums;
    private bool _disposed;

    private SafeTensorsFile(string path, SafeFileHandle file, long dataStart, SafeTensorsHeader header, Dictionary<string, ulong>? checksums)
    {
        Path = path;
        _file = file;
        DataStart = dataStart;
        Entries = header.Entries;
        Metadata = header.Metadata;
        Names = header.Entries.Select(static e => e.Name).ToArray();
        _byName = header.Entries.ToDictionary(static e => e.Name, StringComparer.Ordinal);
        _checksums = checksums;
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
    /// True when the header stores checksums (<see cref="SafeTensors.ChecksumKey"/>, written by
    /// <see cref="SafeTensors.Save"/> with <c>checksums: true</c>): <see cref="Open"/> verified the header against its
    /// digest, and every read verifies the tensor's bytes against theirs.
    /// </summary>
    public bool HasChecksums => _checksums is not null;

    /// <summary>
    /// Opens a safetensors file and validates its whole header before any data is touched: header length, UTF-8
    /// JSON object, every entry's dtype, shape and offsets, that the byte ranges tile the data section with no
    /// overlap and no hole, and the checksum list when there is one. Only regular files are opened: a directory, or a
    /// pipe or device (which report no length), is refused before it is opened, so a pipe cannot block the call.
    /// </summary>
    /// <param name="path">The file to open.</param>
    /// <returns>The open file; dispose it to close the file.</returns>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file, or the path names a
    /// directory or something with fewer than 8 bytes (pipe, device, empty file); the message says why.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        EnsureLittleEndian();
        string full = System.IO.Path.GetFullPath(path);
        CheckIsFile(full);
        SafeFileHandle file = File.OpenHandle(full, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            long fileLength = RandomAccess.GetLength(file);
            if (fileLength < LengthPrefixBytes)
            {
                throw TooShort(full, fileLength);
            }

            Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
            ReadExactly(file, prefix, 0, full, null);
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
            ReadExactly(file, header, LengthPrefixBytes, full, null);
            long dataStart = LengthPrefixBytes + (long)headerLength;
            long dataLength = fileLength - dataStart;
            SafeTensorsHeader parsed = SafeTensorsHeaderParser.Parse(header, dataLength, full);
            Dictionary<string, ulong>? checksums = parsed.Metadata.TryGetValue(SafeTensors.ChecksumKey, out string? value)
                ? SafeTensorsChecksums.Verify(header, value, parsed.Entries, full)
                : null;
            return new SafeTensorsFile(full, file, dataStart, parsed, checksums);
        }
        catch
        {
            file.Dispose();
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
    /// Reads one tensor: its bytes are read from the file straight into a new libtorch tensor on the CPU (and checked
    /// against the stored checksum when the file has <see cref="HasChecksums"/>) and, when <paramref name="device"/>
    /// names another device, moved there. The tensor belongs to the caller's current
    /// <see cref="TensorScope"/>, or to the caller when no scope is open.
    /// </summary>
    /// <param name="name">The tensor name.</param>
    /// <param name="device">Where the tensor should live; null or CPU keeps it on the CPU.</param>
    /// <returns>A new tensor with the stored dtype, shape and bytes.</returns>
    /// <exception cref="KeyNotFoundException">The file has no tensor of this name.</exception>
    /// <exception cref="SafeTensorsFormatException">The file was shortened since it was opened, or the tensor's bytes do
    /// not match their checksum.</exception>
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

    /// <summary>Closes the file. Tensors already read stay valid.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _file.Dispose();
    }

    private Tensor ReadEntry(SafeTensorsEntry entry, Device? device)
    {
        Tensor cpu = Tensor.Empty(entry.ShapeArray, entry.DType);
        try
        {
            ReadInto(cpu, entry);
        }
        catch
        {
            cpu.Dispose();
            throw;
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

    /// <summary>Fills the new tensor's storage with the entry's bytes, chunk by chunk, hashing them when there are checksums.</summary>
    private unsafe void ReadInto(Tensor tensor, SafeTensorsEntry entry)
    {
        long length = entry.ByteLength;
        XxHash3? hash = _checksums is null ? null : new XxHash3();
        if (length > 0)
        {
            byte* destination = (byte*)tensor.DataPointer();
            for (long done = 0; done < length;)
            {
                var chunk = new Span<byte>(destination + done, (int)Math.Min(ReadChunkBytes, length - done));
                ReadExactly(_file, chunk, DataStart + entry.DataBegin + done, Path, entry);
                hash?.Append(chunk);
                done += chunk.Length;
            }
        }

        if (hash is not null)
        {
            ulong expected = _checksums![entry.Name], actual = hash.GetCurrentHashAsUInt64();
            if (actual != expected)
            {
                throw new SafeTensorsFormatException(Path, entry.Name,
                    $"its bytes do not match the checksum stored in the header (xxh3-64 {expected:x16}, read {actual:x16}): the file is corrupt");
            }
        }
    }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; a file that ends first was shortened or rewritten.</summary>
    private static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset, string path, SafeTensorsEntry? entry)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(file, buffer, offset);
            if (read == 0)
            {
                throw new SafeTensorsFormatException(path, entry?.Name,
                    $"the file ends at byte {offset}, before the {(entry is null ? "header" : "tensor's bytes")} it announced; it was shortened or rewritten while being read");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }

    /// <summary>Refuses a directory, and anything with fewer than 8 bytes (pipes and devices report 0), before opening it.</summary>
    private static void CheckIsFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new SafeTensorsFormatException(path, null, "it is a directory, not a file; pass the path of a .safetensors file");
        }

        var info = new FileInfo(path);
        if (info.Exists && info.Length < LengthPrefixBytes)
        {
            throw TooShort(path, info.Length);
        }
    }

    private static SafeTensorsFormatException TooShort(string path, long length) => new(path, null,
        $"the file has {length} bytes, fewer than the 8-byte header length that starts every safetensors file (truncated, not a safetensors file, or not a regular file: a pipe or device has no length)");

    internal static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors stores little-endian data; big-endian hosts are not supported.");
        }
    }
}
