using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace DiffusionCore.Data.Tests.Imaging;

/// <summary>
/// Builds PNG files byte by byte (PNG specification: signature, IHDR, optional PLTE/tRNS, one zlib IDAT of unfiltered
/// rows, IEND, CRC-32 per chunk), so the decoder is tested on colour types and bit depths that the encoder under test
/// never writes (grey+alpha, palettes, tRNS transparency, 16 bits), with the stored values as the oracle.
/// </summary>
internal static class PngBytes
{
    /// <summary>PNG colour types (IHDR byte 9).</summary>
    public const byte Grey = 0, Rgb = 2, Palette = 3, GreyAlpha = 4, Rgba = 6;

    /// <summary>
    /// A PNG of <paramref name="width"/> × <paramref name="height"/> pixels whose IDAT holds <paramref name="rows"/>
    /// (packed samples, row after row; fewer rows than the height give a file with missing image data).
    /// </summary>
    public static byte[] Build(int width, int height, byte colourType, byte bitDepth, byte[] rows, byte[]? palette = null, byte[]? transparency = null)
    {
        var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = bitDepth;
        header[9] = colourType;
        Chunk(output, "IHDR", header);
        if (palette is not null) Chunk(output, "PLTE", palette);
        if (transparency is not null) Chunk(output, "tRNS", transparency);

        int samples = colourType switch { Rgb => 3, GreyAlpha => 2, Rgba => 4, _ => 1 };
        int rowBytes = ((width * samples * bitDepth) + 7) / 8;
        var filtered = new MemoryStream();
        for (int y = 0; y < rows.Length / rowBytes; y++)
        {
            filtered.WriteByte(0);  // filter type None
            filtered.Write(rows, y * rowBytes, rowBytes);
        }

        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(filtered.ToArray());
        }

        Chunk(output, "IDAT", compressed.ToArray());
        Chunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        byte[] typed = [.. Encoding.ASCII.GetBytes(type), .. data];
        output.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        output.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return ~c;
    }
}
