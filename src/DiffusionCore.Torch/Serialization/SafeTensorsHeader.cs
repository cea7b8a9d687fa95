namespace DiffusionCore.Torch.Serialization;

/// <summary>A parsed and validated safetensors header.</summary>
internal sealed class SafeTensorsHeader
{
    internal SafeTensorsHeader(IReadOnlyList<SafeTensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The tensors, sorted by their position in the data section.</summary>
    internal IReadOnlyList<SafeTensorsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> map (empty when the file has none).</summary>
    internal IReadOnlyDictionary<string, string> Metadata { get; }
}
