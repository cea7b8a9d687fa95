namespace DiffusionCore.Torch.Serialization;

/// <summary>
/// Everything read from a safetensors file by <see cref="SafeTensors.Load"/>: the tensors by name, in file order, and
/// the <c>__metadata__</c> map.
/// </summary>
/// <remarks>
/// The tensors are owned by the <see cref="TensorScope"/> that was current during the load (or by the caller when
/// there was none). <see cref="Dispose"/> frees them all at once; doing so when a scope also owns them is harmless.
/// </remarks>
public sealed class SafeTensorsContents : IDisposable
{
    internal SafeTensorsContents(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The tensors by name, enumerating in the order of their bytes in the file.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> string map; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor of the given name.</summary>
    /// <param name="name">The tensor name.</param>
    /// <exception cref="KeyNotFoundException">No tensor has this name.</exception>
    public Tensor this[string name] => Tensors.TryGetValue(name, out Tensor? t)
        ? t
        : throw new KeyNotFoundException($"No tensor named '{name}' was loaded ({Tensors.Count} tensors).");

    /// <summary>Disposes every tensor.</summary>
    public void Dispose()
    {
        foreach (Tensor t in Tensors.Values)
        {
            t.Dispose();
        }
    }
}
