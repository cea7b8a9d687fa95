namespace DiffusionCore.Data;

/// <summary>An unsigned-byte array read from an IDX file (the MNIST / Fashion-MNIST container format).</summary>
public sealed class IdxArray
{
    internal IdxArray(int[] dimensions, byte[] data)
    {
        Dims = dimensions;
        Bytes = data;
    }

    /// <summary>The dimensions as stored in the header, outermost first (e.g. [60000, 28, 28] for images).</summary>
    public IReadOnlyList<int> Dimensions => Dims;

    /// <summary>The elements in row-major order, one byte each.</summary>
    public ReadOnlyMemory<byte> Data => Bytes;

    internal int[] Dims { get; }

    internal byte[] Bytes { get; }
}
