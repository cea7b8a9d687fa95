using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Merge;

/// <summary>
/// The result of a state-dict merge: tensors by key, in the first source's order. Owns its tensors: dispose it when
/// done. Load it into a module, save it, or read it as a <see cref="StateDictSource"/> for a further merge.
/// </summary>
public sealed class MergedStateDict : IDisposable
{
    private readonly OrderedDictionary<string, Tensor> _tensors;
    private bool _disposed;

    internal MergedStateDict(OrderedDictionary<string, Tensor> tensors) => _tensors = tensors;

    /// <summary>The tensors by key.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _tensors;
        }
    }

    /// <summary>Copies the tensors into a module of the same architecture (<see cref="Module.LoadStateDict"/>).</summary>
    /// <param name="target">The module.</param>
    /// <param name="strict">Fail on any missing, unexpected or mis-shaped key.</param>
    /// <returns>The keys that did not match.</returns>
    public StateDictLoadResult LoadInto(Module target, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.LoadStateDict(Tensors, strict);
    }

    /// <summary>Writes the tensors as a safetensors state dict (atomically).</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="metadata">Metadata to store, or null.</param>
    /// <param name="parameterDType">The stored dtype of floating-point tensors; their own when null.</param>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null, DType? parameterDType = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var scope = new TensorScope();
        IEnumerable<KeyValuePair<string, Tensor>> tensors = Tensors.Select(kv =>
            parameterDType is { } d && kv.Value.DType.IsFloatingPoint() ? KeyValuePair.Create(kv.Key, kv.Value.To(d)) : kv);
        SafeTensors.Save(path, tensors, metadata);
    }

    /// <summary>The tensors as a source of a further merge (they must stay alive, i.e. this object undisposed, while it is read).</summary>
    /// <param name="name">How errors name it.</param>
    public StateDictSource AsSource(string name) => StateDictSource.FromTensors(name, Tensors);

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (Tensor t in _tensors.Values)
        {
            t.Dispose();
        }
    }
}
