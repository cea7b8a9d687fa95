using System.Buffers.Binary;
using System.IO.Compression;

namespace DiffusionCore.Data.Tests;

/// <summary>Builds IDX files in memory for the parser tests.</summary>
internal static class IdxBytes
{
    public static byte[] Build(byte[] magic, int[] dims, int dataBytes, byte fill = 7)
    {
        var bytes = new byte[4 + 4 * dims.Length + dataBytes];
        magic.CopyTo(bytes, 0);
        for (int i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        }

        bytes.AsSpan(4 + 4 * dims.Length).Fill(fill);
        return bytes;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }
}
