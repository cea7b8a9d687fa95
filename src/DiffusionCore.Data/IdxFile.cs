using System.Buffers.Binary;
using System.IO.Compression;

namespace DiffusionCore.Data;

/// <summary>
/// Reads IDX files (LeCun's MNIST container, also used by Fashion-MNIST), plain or gzip-compressed: a big-endian
/// header (two zero bytes, a type code, the number of dimensions, one 32-bit size per dimension) followed by the
/// elements. Only the unsigned-byte type (0x08) is supported, which is what image and label files use. Every
/// inconsistency — wrong magic, zero or absurd sizes, truncated or trailing data, a damaged gzip stream — raises a
/// <see cref="DatasetFormatException"/> naming the file.
/// </summary>
public static class IdxFile
{
    private const byte UnsignedByteType = 0x08;
    private const int MaxDimensions = 8;

    /// <summary>Reads an IDX file; a gzip stream (detected by its magic bytes, not the file name) is decompressed.</summary>
    /// <param name="path">The file to read.</param>
    /// <exception cref="DatasetNotFoundException">The file does not exist.</exception>
    /// <exception cref="DatasetFormatException">The contents are not a valid unsigned-byte IDX array.</exception>
    public static IdxArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new DatasetNotFoundException($"The IDX file '{path}' does not exist.", path);
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(file, path);
    }

    /// <summary>
    /// Reads an IDX array from a stream (plain or gzip-compressed), naming it <paramref name="name"/> in errors. The
    /// stream is read to the end of the array and left open; a non-seekable stream is buffered first.
    /// </summary>
    /// <param name="stream">The stream, positioned at the start of the file.</param>
    /// <param name="name">The file name used in error messages.</param>
    /// <exception cref="DatasetFormatException">The contents are not a valid unsigned-byte IDX array.</exception>
    public static IdxArray Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        try
        {
            Stream input = OpenPossiblyCompressed(stream, out bool compressed);
            try
            {
                return ReadUncompressed(input, name, compressed);
            }
            finally
            {
                if (compressed)
                {
                    input.Dispose();
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new DatasetFormatException(name, $"the gzip stream is damaged ({e.Message}); download or reinstall the file.", e);
        }
        catch (IOException e) when (e is not DatasetFormatException and not FileNotFoundException)
        {
            throw new DatasetFormatException(name, $"the file could not be read ({e.Message}).", e);
        }
    }

    private static Stream OpenPossiblyCompressed(Stream stream, out bool compressed)
    {
        if (!stream.CanSeek)
        {
            // Sniffing the gzip magic needs to rewind: buffer a non-seekable stream (rare; files are seekable).
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }

        long start = stream.Position;
        Span<byte> head = stackalloc byte[2];
        int n = stream.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        stream.Position = start;
        compressed = n == 2 && head[0] == 0x1f && head[1] == 0x8b;
        return compressed ? new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true) : stream;
    }

    private static IdxArray ReadUncompressed(Stream input, string name, bool compressed)
    {
        Span<byte> magic = stackalloc byte[4];
        int got = input.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (got < 4)
        {
            throw new DatasetFormatException(name, $"the file is too short for an IDX header ({got} bytes); it is truncated or not an IDX file.");
        }

        if (magic[0] != 0 || magic[1] != 0)
        {
            string hint = compressed ? string.Empty : " (if it is compressed with something other than gzip, decompress it first)";
            throw new DatasetFormatException(
                name, $"not an IDX file: the magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(magic):X8} does not start with two zero bytes{hint}.");
        }

        if (magic[2] != UnsignedByteType)
        {
            throw new DatasetFormatException(
                name, $"IDX element type 0x{magic[2]:X2} is not supported; only unsigned bytes (0x08), as in MNIST image and label files, can be read.");
        }

        int rank = magic[3];
        if (rank is < 1 or > MaxDimensions)
        {
            throw new DatasetFormatException(name, $"the IDX header declares {rank} dimensions; expected 1 to {MaxDimensions}.");
        }

        var header = new byte[4 * rank];
        got = input.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (got < header.Length)
        {
            throw new DatasetFormatException(name, $"the IDX header is truncated: {rank} dimension sizes need {header.Length} bytes but only {got} follow.");
        }

        var dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4 * i));
            if (size == 0 || size > int.MaxValue)
            {
                throw new DatasetFormatException(name, $"IDX dimension {i} has size {size}; sizes must be between 1 and {int.MaxValue}.");
            }

            dims[i] = (int)size;
            total *= size;
            if (total > Array.MaxLength)
            {
                throw new DatasetFormatException(name, $"the IDX header declares more than {Array.MaxLength} elements ({string.Join("×", dims.Take(i + 1))}…); the header is corrupt.");
            }
        }

        var data = new byte[total];
        got = input.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (got < data.Length)
        {
            throw new DatasetFormatException(
                name, $"the file is truncated: the header declares {string.Join("×", dims)} = {total} bytes of data but only {got} follow. Download or reinstall the file.");
        }

        if (input.ReadByte() != -1)
        {
            throw new DatasetFormatException(name, $"the file has data after the {total} bytes its header declares ({string.Join("×", dims)}); the header or the file is corrupt.");
        }

        return new IdxArray(dims, data);
    }
}
