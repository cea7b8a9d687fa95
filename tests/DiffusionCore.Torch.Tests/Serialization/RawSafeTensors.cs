using System.Buffers.Binary;
using System.Text;

namespace DiffusionCore.Torch.Tests.Serialization;

/// <summary>Writes hand-made (often deliberately broken) safetensors files byte by byte.</summary>
internal static class RawSafeTensors
{
    /// <summary>Writes the 8-byte length of <paramref name="headerJson"/> (or <paramref name="declaredLength"/>), the header and the data.</summary>
    public static string Write(string path, string headerJson, int dataBytes = 0, ulong? declaredLength = null) =>
        Write(path, Encoding.UTF8.GetBytes(headerJson), new byte[dataBytes], declaredLength);

    public static string Write(string path, byte[] header, byte[] data, ulong? declaredLength = null)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
