using System.Collections.ObjectModel;

namespace DiffusionCore.Torch.Serialization;

/// <summary>
/// One tensor as the header of a safetensors file describes it: name, dtype, shape and byte range in the data
/// section. Reading an entry's description never touches the tensor data.
/// </summary>
public sealed class SafeTensorsEntry
{
    internal SafeTensorsEntry(string name, DType dtype, long[] shape, long numElements, long dataBegin, long dataEnd)
    {
        Name = name;
        DType = dtype;
        ShapeArray = shape;
        Shape = Array.AsReadOnly(shape);
        NumElements = numElements;
        DataBegin = dataBegin;
        DataEnd = dataEnd;
    }

    /// <summary>The tensor's name (a state-dict key such as <c>blocks.3.attn.qkv.weight</c>).</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The size of every dimension; empty for a zero-dimensional tensor.</summary>
    public ReadOnlyCollection<long> Shape { get; }

    /// <summary>The number of elements (1 for a zero-dimensional tensor, 0 when any size is 0).</summary>
    public long NumElements { get; }

    /// <summary>Start of the tensor's bytes, relative to the start of the data section (inclusive).</summary>
    public long DataBegin { get; }

    /// <summary>End of the tensor's bytes, relative to the start of the data section (exclusive).</summary>
    public long DataEnd { get; }

    /// <summary>The number of bytes the tensor occupies: <see cref="NumElements"/> times the element size.</summary>
    public long ByteLength => DataEnd - DataBegin;

    internal long[] ShapeArray { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: {DType} [{string.Join(", ", ShapeArray)}] bytes [{DataBegin}, {DataEnd})";
}
