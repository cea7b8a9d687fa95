using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Training.Ema;

/// <summary>
/// The storage and update loop shared by the EMA trackers: a float32 copy of every parameter of the network, folded
/// toward the network after each step as θ̂ ← lerp(θ̂, θ, 1 − β) with a decay β chosen by the subclass
/// (Karras et al. 2024, EDM2 §3 and App. C), and a copy of every persistent buffer, refreshed at each update
/// (buffers are copied, not averaged, as in the EDM and EDM2 reference implementations).
/// </summary>
/// <remarks>
/// Keys are the network's state-dict keys (parameters deduplicated as in <see cref="Module.NamedParameters"/>), so
/// <see cref="SaveState"/> under a prefix yields tensors that load into a network with
/// <c>StateDictFiles.LoadStateDict(path, keyPrefix: prefix)</c>. The average lives on the device of each parameter.
/// All tensor arithmetic is libtorch's; the tracker only computes the scalar β.
/// </remarks>
public abstract class EmaTracker : IEmaTracker
{
    private const string KindKey = "kind";
    private readonly string[] _parameterKeys;
    private readonly Tensor[] _averages;
    private readonly string[] _bufferKeys;
    private readonly Tensor[] _buffers;
    private readonly (bool IsBuffer, int Index)[] _stateOrder;
    private bool _disposed;

    /// <summary>Allocates the averages as float32 copies of <paramref name="network"/>'s current parameters (EDM: <c>ema = deepcopy(net)</c>).</summary>
    /// <param name="network">The network that will be trained; its architecture is fixed for the tracker's lifetime.</param>
    /// <param name="name">The tracker's name (see <see cref="IEmaTracker.Name"/>).</param>
    protected EmaTracker(Module network, string name)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        var keys = new List<string>();
        var averages = new List<Tensor>();
        var bufferKeys = new List<string>();
        var buffers = new List<Tensor>();
        var order = new List<(bool IsBuffer, int Index)>();
        try
        {
            using var scope = new TensorScope();
            using var noGrad = new NoGradScope();
            string[] stateKeys = [.. network.StateDict().Keys];
            var persistent = new HashSet<string>(stateKeys, StringComparer.Ordinal);
            foreach ((string key, Tensor p) in network.NamedParameters())
            {
                keys.Add(key);
                averages.Add(p.Detach().To(null, DType.Float32, copy: true).DetachFromScope());
            }

            foreach ((string key, Tensor b) in network.NamedBuffers())
            {
                if (persistent.Contains(key))
                {
                    bufferKeys.Add(key);
                    buffers.Add(b.Detach().To(null, null, copy: true).DetachFromScope());
                }
            }

            // State-dict order (a module's own tensors before its children's); a tied tensor's later keys are skipped.
            var parameterIndex = keys.Select((k, i) => (k, i)).ToDictionary(static e => e.k, static e => e.i, StringComparer.Ordinal);
            var bufferIndex = bufferKeys.Select((k, i) => (k, i)).ToDictionary(static e => e.k, static e => e.i, StringComparer.Ordinal);
            foreach (string key in stateKeys)
            {
                if (parameterIndex.TryGetValue(key, out int pi))
                {
                    order.Add((false, pi));
                }
                else if (bufferIndex.TryGetValue(key, out int bi))
                {
                    order.Add((true, bi));
                }
            }
        }
        catch
        {
            averages.ForEach(static t => t.Dispose());
            buffers.ForEach(static t => t.Dispose());
            throw;
        }

        _parameterKeys = [.. keys];
        _averages = [.. averages];
        _bufferKeys = [.. bufferKeys];
        _buffers = [.. buffers];
        _stateOrder = [.. order];
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>A stable identifier of the averaging rule written into checkpoints (e.g. "power"); a checkpoint of another kind is refused.</summary>
    protected abstract string Kind { get; }

    /// <summary>The state-dict keys of the averaged parameters, in the order of <see cref="Module.NamedParameters"/>.</summary>
    public IReadOnlyList<string> ParameterKeys => _parameterKeys;

    /// <summary>The state-dict keys of the copied persistent buffers, in the order of <see cref="Module.NamedBuffers"/>.</summary>
    public IReadOnlyList<string> BufferKeys => _bufferKeys;

    /// <summary>The decay β of the step that ends with <paramref name="imagesSeen"/> images seen; the update is θ̂ ← lerp(θ̂, θ, 1 − β).</summary>
    /// <param name="imagesSeen">Images seen after the step.</param>
    /// <param name="batchImages">Images in the step.</param>
    /// <returns>β in [0, 1].</returns>
    public abstract double Beta(long imagesSeen, long batchImages);

    /// <inheritdoc />
    public void Update(Module network, long imagesSeen, long batchImages)
    {
        ArgumentNullException.ThrowIfNull(network);
        ObjectDisposedException.ThrowIf(_disposed, this);
        double beta = Beta(imagesSeen, batchImages);
        using var scope = new TensorScope();
        using var noGrad = new NoGradScope();
        int i = 0;
        foreach ((string key, Tensor p) in network.NamedParameters())
        {
            CheckKey(i, _parameterKeys, key, "parameter");
            Tensor source = p.DType == DType.Float32 ? p : p.To(DType.Float32);
            _averages[i].LerpInPlace(source, 1 - beta);
            i++;
        }

        CheckCount(i, _parameterKeys, "parameters");
        i = 0;
        foreach ((string key, Tensor b) in network.NamedBuffers())
        {
            if (i < _bufferKeys.Length && string.Equals(_bufferKeys[i], key, StringComparison.Ordinal))
            {
                _buffers[i].CopyFrom(b);
                i++;
            }
        }

        CheckCount(i, _bufferKeys, "persistent buffers");
    }

    /// <inheritdoc />
    public void CopyTo(Module target)
    {
        ArgumentNullException.ThrowIfNull(target);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = new TensorScope();
        using var noGrad = new NoGradScope();
        int i = 0;
        foreach ((string key, Tensor p) in target.NamedParameters())
        {
            CheckKey(i, _parameterKeys, key, "parameter");
            p.CopyFrom(_averages[i]);
            i++;
        }

        CheckCount(i, _parameterKeys, "parameters");
        i = 0;
        foreach ((string key, Tensor b) in target.NamedBuffers())
        {
            if (i < _bufferKeys.Length && string.Equals(_bufferKeys[i], key, StringComparison.Ordinal))
            {
                b.CopyFrom(_buffers[i]);
                i++;
            }
        }

        CheckCount(i, _bufferKeys, "persistent buffers");
    }

    /// <summary>
    /// The averaged parameters (float32) and the copied buffers under the network's state-dict keys, in state-dict order
    /// (a tensor shared under several keys appears once, under its first name).
    /// </summary>
    /// <returns>Detached aliases of the live state (owned by the current <see cref="TensorScope"/>, or by the caller): they
    /// change at the next <see cref="Update"/>, so write them out or copy them before that.</returns>
    public IEnumerable<KeyValuePair<string, Tensor>> StateDict()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach ((bool isBuffer, int i) in _stateOrder)
        {
            yield return isBuffer ? new(_bufferKeys[i], _buffers[i].Detach()) : new(_parameterKeys[i], _averages[i].Detach());
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Tensors go under <c>prefix + stateDictKey</c> (detached aliases of the live state; write them before the next
    /// update); metadata under <c>prefix + "kind"</c>, <c>prefix + "name"</c> and the subclass's settings.
    /// </remarks>
    public void SaveState(IDictionary<string, Tensor> tensors, IDictionary<string, string> metadata, string prefix)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(prefix);
        foreach ((string key, Tensor t) in StateDict())
        {
            tensors[prefix + key] = t;
        }

        metadata[prefix + KindKey] = Kind;
        metadata[prefix + "name"] = Name;
        WriteSettings(metadata, prefix);
    }

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The state was written by another kind of tracker, with other settings
    /// (see <see cref="CheckSettings"/>), or for another architecture; the message lists every problem and nothing is copied.</exception>
    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata, string prefix)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(prefix);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!metadata.TryGetValue(prefix + KindKey, out string? kind))
        {
            throw new InvalidDataException($"EMA tracker '{Name}': the checkpoint has no '{prefix}{KindKey}' entry; it holds no EMA state under the prefix '{prefix}'.");
        }

        if (!string.Equals(kind, Kind, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"EMA tracker '{Name}' is a '{Kind}' EMA but the checkpoint holds a '{kind}' EMA under '{prefix}'.");
        }

        CheckSettings(metadata, prefix);
        var problems = new List<string>();
        var copies = new List<(Tensor Target, Tensor Source)>();
        Collect(_parameterKeys, _averages);
        Collect(_bufferKeys, _buffers);
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"EMA tracker '{Name}' cannot load the checkpoint state under '{prefix}': {string.Join("; ", problems)}.");
        }

        using var noGrad = new NoGradScope();
        foreach ((Tensor target, Tensor source) in copies)
        {
            target.CopyFrom(source);
        }

        void Collect(string[] keys, Tensor[] targets)
        {
            for (int i = 0; i < keys.Length; i++)
            {
                if (!tensors.TryGetValue(prefix + keys[i], out Tensor? source))
                {
                    problems.Add($"'{prefix}{keys[i]}' is missing");
                }
                else if (!source.Shape.AsSpan().SequenceEqual(targets[i].Shape))
                {
                    problems.Add($"'{prefix}{keys[i]}' has shape [{string.Join(", ", source.Shape)}], expected [{string.Join(", ", targets[i].Shape)}]");
                }
                else
                {
                    copies.Add((targets[i], source));
                }
            }
        }
    }

    /// <summary>Writes the tracker's settings (exact, invariant strings) under <paramref name="prefix"/>.</summary>
    /// <param name="metadata">The checkpoint metadata.</param>
    /// <param name="prefix">The tracker's key prefix.</param>
    protected abstract void WriteSettings(IDictionary<string, string> metadata, string prefix);

    /// <summary>Throws <see cref="InvalidDataException"/> when a checkpoint's settings make its average meaningless for this tracker (e.g. another σ_rel).</summary>
    /// <param name="metadata">The checkpoint metadata.</param>
    /// <param name="prefix">The tracker's key prefix.</param>
    protected virtual void CheckSettings(IReadOnlyDictionary<string, string> metadata, string prefix)
    {
    }

    /// <summary>Frees the averages and buffer copies.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the native tensors when <paramref name="disposing"/>.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing)
        {
            return;
        }

        _disposed = true;
        foreach (Tensor t in _averages)
        {
            t.Dispose();
        }

        foreach (Tensor t in _buffers)
        {
            t.Dispose();
        }
    }

    private void CheckKey(int index, string[] keys, string key, string what)
    {
        if (index >= keys.Length || !string.Equals(keys[index], key, StringComparison.Ordinal))
        {
            string expected = index < keys.Length ? $"'{keys[index]}'" : "no more parameters";
            throw new ArgumentException(
                $"EMA tracker '{Name}': the network's {what} #{index} is '{key}' but the tracker expected {expected}; " +
                "pass the network the tracker was created for (or one of the same architecture).");
        }
    }

    private void CheckCount(int seen, string[] keys, string what)
    {
        if (seen != keys.Length)
        {
            throw new ArgumentException(
                $"EMA tracker '{Name}': the network has {seen} {what} matching the tracker's, expected {keys.Length} " +
                $"(first missing: '{keys[Math.Min(seen, keys.Length - 1)]}'); pass a network of the architecture the tracker was created for.");
        }
    }
}
