using System.IO.Hashing;
using System.Text;

namespace DiffusionCore.Torch.Serialization;

/// <summary>
/// Writes safetensors files atomically: everything goes to a temporary file in the target directory, which is
/// flushed to disk and then renamed over the target, so a crash mid-write leaves any existing file intact.
/// Tensor bytes are copied one bounded chunk at a time; no buffer grows with the size of the model.
/// </summary>
internal static class SafeTensorsWriter
{
    /// <summary>The largest host buffer used for tensor bytes (16 MiB).</summary>
    internal const int ChunkBytes = 16 << 20;

    private const int HeaderPrefixBytes = 8;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    internal static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata, bool checksums)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        SafeTensorsFile.EnsureLittleEndian();
        ValidateMetadata(metadata);
        List<SafeTensorsHeaderWriter.Slot> slots = Plan(tensors);
        byte[] header = SafeTensorsHeaderWriter.Build(slots, HeaderMetadata(metadata, checksums ? slots.Count : null));
        ulong[]? digests = checksums ? new ulong[slots.Count] : null;

        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.None))
            {
                stream.Write(header);
                WriteData(stream, slots, digests);
                if (digests is not null)
                {
                    // The placeholder has the final value's length: fill the digests in without moving a byte. The
                    // header digest covers the JSON as written so far, placeholder included.
                    ReadOnlySpan<byte> json = header.AsSpan(HeaderPrefixBytes);
                    stream.Position = HeaderPrefixBytes + SafeTensorsChecksums.ValueOffset(json);
                    stream.Write(Encoding.ASCII.GetBytes(SafeTensorsChecksums.Format(SafeTensorsChecksums.Hash(json), digests)));
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// The metadata as written: the caller's entries less any stale <see cref="SafeTensors.ChecksumKey"/>, plus, for
    /// <paramref name="checksumCount"/> tensors, a placeholder of all-zero digests with the length of the final value.
    /// </summary>
    private static IReadOnlyDictionary<string, string>? HeaderMetadata(IReadOnlyDictionary<string, string>? metadata, int? checksumCount)
    {
        if (checksumCount is null && (metadata is null || !metadata.ContainsKey(SafeTensors.ChecksumKey)))
        {
            return metadata;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> pair in metadata ?? new Dictionary<string, string>())
        {
            if (pair.Key != SafeTensors.ChecksumKey) result.Add(pair.Key, pair.Value);
        }

        if (checksumCount is int count) result.Add(SafeTensors.ChecksumKey, SafeTensorsChecksums.Placeholder(count));
        return result;
    }

    /// <summary>Checks names and tensors and assigns each tensor its byte range, in the given order.</summary>
    private static List<SafeTensorsHeaderWriter.Slot> Plan(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var slots = new List<SafeTensorsHeaderWriter.Slot>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        long offset = 0;
        foreach ((string name, Tensor tensor) in tensors)
        {
            if (name is null)
            {
                throw new ArgumentException("A tensor name is null.", nameof(tensors));
            }

            if (name == SafeTensorsHeaderParser.MetadataKey)
            {
                throw new ArgumentException($"'{SafeTensorsHeaderParser.MetadataKey}' is reserved for the metadata map and cannot name a tensor.", nameof(tensors));
            }

            if (!IsValidUtf16(name))
            {
                throw new ArgumentException($"The tensor name '{name}' is not valid UTF-16 text (unpaired surrogate) and cannot be stored as UTF-8.", nameof(tensors));
            }

            if (!names.Add(name))
            {
                throw new ArgumentException($"The tensor name '{name}' occurs more than once; names must be unique.", nameof(tensors));
            }

            if (tensor is null)
            {
                throw new ArgumentException($"The tensor '{name}' is null.", nameof(tensors));
            }

            DType dtype = tensor.DType;
            if (SafeTensorsDTypes.ToCode(dtype) is null)
            {
                throw new ArgumentException($"The tensor '{name}' has dtype {dtype}, which safetensors cannot store here; supported: {SafeTensorsDTypes.SupportedList}.", nameof(tensors));
            }

            long bytes = checked(tensor.NumElements * dtype.ElementSize());
            slots.Add(new SafeTensorsHeaderWriter.Slot(name, tensor, dtype, tensor.Shape, offset, checked(offset + bytes)));
            offset += bytes;
        }

        return slots;
    }

    private static void ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        foreach (KeyValuePair<string, string> pair in metadata)
        {
            if (pair.Key is null || pair.Value is null)
            {
                throw new ArgumentException($"Metadata entries need a non-null key and value; '{pair.Key ?? "(null)"}' has a null {(pair.Key is null ? "key" : "value")}.", nameof(metadata));
            }

            if (!IsValidUtf16(pair.Key) || !IsValidUtf16(pair.Value))
            {
                throw new ArgumentException($"The metadata entry '{pair.Key}' is not valid UTF-16 text (unpaired surrogate) and cannot be stored as UTF-8.", nameof(metadata));
            }
        }
    }

    /// <summary>
    /// Copies every tensor's bytes to <paramref name="stream"/> through one bounded buffer, batching small tensors, and
    /// stores each tensor's digest in <paramref name="digests"/> when given.
    /// </summary>
    private static void WriteData(FileStream stream, List<SafeTensorsHeaderWriter.Slot> slots, ulong[]? digests)
    {
        long largest = 0, total = 0;
        foreach (SafeTensorsHeaderWriter.Slot slot in slots)
        {
            largest = Math.Max(largest, slot.End - slot.Begin);
            total += slot.End - slot.Begin;
        }

        if (digests is not null)
        {
            Array.Fill(digests, SafeTensorsChecksums.Hash([]));
        }

        if (total == 0)
        {
            return;
        }

        var buffer = new byte[(int)Math.Min(ChunkBytes, total)];
        int filled = 0;
        for (int i = 0; i < slots.Count; i++)
        {
            SafeTensorsHeaderWriter.Slot slot = slots[i];
            long bytes = slot.End - slot.Begin;
            if (bytes == 0)
            {
                continue;
            }

            if (bytes > buffer.Length - filled)
            {
                stream.Write(buffer, 0, filled);
                filled = 0;
            }

            if (bytes <= buffer.Length)
            {
                Span<byte> copy = buffer.AsSpan(filled, (int)bytes);
                slot.Tensor.CopyBytesTo(copy);
                if (digests is not null) digests[i] = SafeTensorsChecksums.Hash(copy);
                filled += (int)bytes;
            }
            else
            {
                ulong digest = WriteInChunks(stream, slot, buffer, digests is not null);
                if (digests is not null) digests[i] = digest;
            }
        }

        stream.Write(buffer, 0, filled);
    }

    /// <summary>Writes a tensor larger than the buffer as consecutive slices of its flattened elements; returns their digest when asked (else 0).</summary>
    private static ulong WriteInChunks(FileStream stream, SafeTensorsHeaderWriter.Slot slot, byte[] buffer, bool digest)
    {
        XxHash3? hash = digest ? new XxHash3() : null;
        int elementSize = slot.DType.ElementSize();
        long perChunk = buffer.Length / elementSize;
        using var noGrad = new NoGradScope();
        using var scope = new TensorScope();
        Tensor flat = slot.Tensor.Contiguous().Flatten();
        long count = slot.End - slot.Begin;
        long elements = count / elementSize;
        for (long start = 0; start < elements; start += perChunk)
        {
            long n = Math.Min(perChunk, elements - start);
            int byteCount = (int)(n * elementSize);
            using Tensor piece = flat.Narrow(0, start, n);
            piece.CopyBytesTo(buffer.AsSpan(0, byteCount));
            hash?.Append(buffer.AsSpan(0, byteCount));
            stream.Write(buffer, 0, byteCount);
        }

        return hash?.GetCurrentHashAsUInt64() ?? 0;
    }

    private static bool IsValidUtf16(string text)
    {
        try
        {
            _ = s_strictUtf8.GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the temporary file is hidden and never replaces the target.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
