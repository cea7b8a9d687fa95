namespace DiffusionCore.Torch.Nn;

public abstract partial class Module
{
    /// <summary>
    /// The module's state (torch.nn.Module.state_dict): every non-null parameter and persistent buffer under its
    /// PyTorch key, this module's own first (parameters, then buffers), then each child's, in registration order. Tied
    /// tensors and shared modules appear under each of their keys, as in PyTorch.
    /// </summary>
    /// <returns>
    /// Detached aliases, not copies: they share storage with the module (writing into one changes the module) and are
    /// new handles owned by the current <see cref="TensorScope"/> (or by the caller when there is none).
    /// </returns>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        ThrowIfDisposed();
        var result = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string key, Tensor tensor) in StateEntries())
        {
            result.Add(key, tensor.Detach());
        }

        return result;
    }

    /// <summary>
    /// Copies tensors from <paramref name="stateDict"/> into this module's parameters and persistent buffers in place,
    /// under no-grad, converting dtype and device as needed (torch.nn.Module.load_state_dict). Parameters keep their
    /// identity, so optimizers built on them stay valid, and the given tensors are not retained.
    /// </summary>
    /// <param name="stateDict">Tensors by PyTorch key, e.g. read from a safetensors file.</param>
    /// <param name="strict">
    /// When true (default), any missing, unexpected or mis-shaped key throws one <see cref="StateDictLoadException"/>
    /// listing them all, before anything is copied. When false, every key that matches in name and shape is loaded and
    /// the rest is reported in the result (unlike PyTorch, which raises on shape mismatches even when not strict).
    /// </param>
    /// <returns>The keys that were missing, unexpected or mis-shaped.</returns>
    public StateDictLoadResult LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        ThrowIfDisposed();
        var missing = new List<string>();
        var mismatched = new List<StateDictShapeMismatch>();
        var toCopy = new List<(Tensor Target, Tensor Source)>();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string key, Tensor target) in StateEntries())
        {
            expected.Add(key);
            if (!stateDict.TryGetValue(key, out Tensor? source))
            {
                missing.Add(key);
                continue;
            }

            ArgumentNullException.ThrowIfNull(source, $"{nameof(stateDict)}[\"{key}\"]");
            long[] have = target.Shape;
            long[] given = source.Shape;
            if (!have.AsSpan().SequenceEqual(given))
            {
                mismatched.Add(new StateDictShapeMismatch(key, have, given));
                continue;
            }

            toCopy.Add((target, source));
        }

        var unexpected = stateDict.Keys.Where(k => !expected.Contains(k)).ToList();
        var result = new StateDictLoadResult(missing, unexpected, mismatched);
        if (strict && !result.IsExactMatch)
        {
            throw new StateDictLoadException(GetType().Name, result);
        }

        using (new NoGradScope())
        {
            foreach ((Tensor target, Tensor source) in toCopy)
            {
                target.CopyFrom(source);
            }
        }

        return result;
    }

    /// <summary>Every state-dict entry (non-null parameters, then non-null persistent buffers, per module, depth first), without deduplication.</summary>
    private IEnumerable<(string Key, Tensor Tensor)> StateEntries()
    {
        foreach ((string prefix, Module module) in WalkModules(string.Empty, deduplicate: null))
        {
            foreach (KeyValuePair<string, Tensor?> kv in module._parameters)
            {
                if (kv.Value is not null)
                {
                    yield return (JoinKey(prefix, kv.Key), kv.Value);
                }
            }

            foreach (KeyValuePair<string, Tensor?> kv in module._buffers)
            {
                if (kv.Value is not null && !module._nonPersistentBuffers.Contains(kv.Key))
                {
                    yield return (JoinKey(prefix, kv.Key), kv.Value);
                }
            }
        }
    }
}
