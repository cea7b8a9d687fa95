using DiffusionCore.Torch;

namespace DiffusionCore.Merge;

/// <summary>One tensor of a state dict as a source describes it before it is read: key, dtype and shape.</summary>
/// <param name="Key">The state-dict key (a PyTorch name such as <c>enc.32x32_conv.weight</c>).</param>
/// <param name="DType">The element type.</param>
/// <param name="Shape">The shape.</param>
public sealed record StateDictEntry(string Key, DType DType, IReadOnlyList<long> Shape)
{
    /// <summary>The shape as text, <c>[a, b]</c>.</summary>
    internal string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
