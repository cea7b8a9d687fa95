using System.Globalization;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Torch.Optim;

/// <summary>
/// Base of the optimizers (torch.optim.Optimizer): parameter groups with their own hyperparameters, per-parameter
/// state created lazily on the first step that gives a parameter a gradient, <see cref="Step"/> as one native call per
/// group, and a state dict that resumes bit-for-bit. Parameters without a gradient are skipped by a step, and their
/// step counts do not advance, exactly as in PyTorch. The optimizer owns its state tensors (they live outside any
/// <see cref="TensorScope"/>), not the parameters.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly List<ParameterGroup> _groups = [];
    private readonly List<ParameterGroupState> _states = [];
    private readonly HashSet<Tensor> _parameters = new(ReferenceEqualityComparer.Instance);
    private readonly string[] _stateNames;
    private bool _disposed;

    private protected Optimizer(IEnumerable<ParameterGroup> groups, string[] stateNames)
    {
        ArgumentNullException.ThrowIfNull(groups);
        _stateNames = stateNames;
        foreach (ParameterGroup group in groups)
        {
            AddParameterGroup(group);
        }

        if (_parameters.Count == 0)
        {
            throw new ArgumentException("The optimizer got an empty parameter list.", nameof(groups));
        }
    }

    /// <summary>The PyTorch class name ("Adam", "AdamW", "SGD"), recorded in <see cref="StateDict"/> and checked on load.</summary>
    public abstract string Name { get; }

    /// <summary>The parameter groups, in order.</summary>
    public IReadOnlyList<ParameterGroup> ParameterGroups => _groups;

    /// <summary>
    /// Adds a group, e.g. layers unfrozen during fine-tuning (torch.optim.Optimizer.add_param_group). Its options must
    /// be of this optimizer's options type; no parameter may already belong to a group.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong options type, a repeated parameter, or a non-leaf tensor.</exception>
    public void AddParameterGroup(ParameterGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        ThrowIfDisposed();
        if (!AcceptsOptions(group.Options))
        {
            throw new ArgumentException($"{Name} needs {OptionsTypeName} for every parameter group, not {group.Options.GetType().Name}.", nameof(group));
        }

        group.Options.Validate();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < group.Parameters.Count; i++)
        {
            Tensor p = group.Parameters[i] ?? throw new ArgumentException($"Parameter {i} of the group is null.", nameof(group));
            if (!seen.Add(p) || _parameters.Contains(p))
            {
                throw new ArgumentException($"Parameter {i} of the group appears more than once in this optimizer's parameter groups.", nameof(group));
            }

            if (!p.IsLeaf)
            {
                throw new ArgumentException($"Parameter {i} of the group is not a leaf tensor, so it cannot be optimized.", nameof(group));
            }
        }

        _parameters.UnionWith(seen);
        _groups.Add(group);
        _states.Add(new ParameterGroupState(group.Parameters.Count, _stateNames.Length));
    }

    /// <summary>Sets the learning rate of every group (for per-group schedules set <see cref="ParameterGroup.LearningRate"/>).</summary>
    public void SetLearningRate(double learningRate)
    {
        foreach (ParameterGroup group in _groups)
        {
            group.LearningRate = learningRate;
        }
    }

    /// <summary>Performs one optimization step from the parameters' current gradients (torch.optim.Optimizer.step).</summary>
    public void Step()
    {
        ThrowIfDisposed();
        for (int g = 0; g < _groups.Count; g++)
        {
            ParameterGroup group = _groups[g];
            group.Options.Validate();
            if (group.Parameters.Count > 0)
            {
                StepGroup(group, _states[g]);
            }
        }
    }

    /// <summary>Clears (default) or zeroes the gradients of every parameter (torch.optim.Optimizer.zero_grad).</summary>
    public void ZeroGrad(bool setToNone = true)
    {
        ThrowIfDisposed();
        GradientUtils.ZeroGrad(_groups.SelectMany(static g => g.Parameters), setToNone);
    }

    /// <summary>
    /// The complete state for exact resumption (torch.optim.Optimizer.state_dict): per-parameter tensors, step counts
    /// and every group's hyperparameters; see <see cref="OptimizerState"/> for the layout. Tensors are detached aliases
    /// of the live state (owned by the current <see cref="TensorScope"/>): save them before the next <see cref="Step"/>,
    /// or clone them to keep a snapshot.
    /// </summary>
    public OptimizerState StateDict()
    {
        ThrowIfDisposed();
        var result = new OptimizerState();
        result.Metadata["format"] = OptimizerState.FormatVersion;
        result.Metadata["optimizer"] = Name;
        result.Metadata["param_groups"] = Invariant(_groups.Count);
        int index = 0;
        for (int g = 0; g < _groups.Count; g++)
        {
            ParameterGroup group = _groups[g];
            ParameterGroupState state = _states[g];
            string groupPrefix = $"param_groups.{Invariant(g)}.";
            result.Metadata[groupPrefix + "params"] = string.Join(",", Enumerable.Range(index, group.Parameters.Count).Select(Invariant));
            group.Options.Write(result.Metadata, groupPrefix);
            for (int i = 0; i < group.Parameters.Count; i++, index++)
            {
                string prefix = $"state.{Invariant(index)}.";
                if (state.Steps[i] > 0)
                {
                    result.Metadata[prefix + "step"] = Invariant(state.Steps[i]);
                }

                for (int s = 0; s < _stateNames.Length; s++)
                {
                    if (state.Slots[s][i] is { } t)
                    {
                        result.Tensors.Add(prefix + _stateNames[s], t.Detach());
                    }
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Restores a state written by <see cref="StateDict"/> of the same optimizer type with the same group sizes
    /// (torch.optim.Optimizer.load_state_dict): hyperparameters, step counts and copies of the state tensors, converted to
    /// each parameter's dtype and device. Everything is validated before anything changes.
    /// </summary>
    /// <exception cref="ArgumentException">The state is for another optimizer type, grouping or parameter shapes, or has unknown entries.</exception>
    public void LoadStateDict(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ThrowIfDisposed();
        IReadOnlyDictionary<string, string> meta = state.Metadata;
        string savedName = Require(meta, "optimizer");
        if (savedName != Name)
        {
            throw new ArgumentException($"The optimizer state was saved by {savedName}, but this optimizer is {Name}.", nameof(state));
        }

        int groupCount = ParseInt(meta, "param_groups");
        if (groupCount != _groups.Count)
        {
            throw new ArgumentException($"The optimizer state has {groupCount} parameter group(s), but this optimizer has {_groups.Count}.", nameof(state));
        }

        var owners = new List<(int Group, int Index)>();
        for (int g = 0; g < _groups.Count; g++)
        {
            string prefix = $"param_groups.{Invariant(g)}.";
            string ids = Require(meta, prefix + "params");
            int saved = ids.Length == 0 ? 0 : ids.Split(',').Length;
            if (saved != _groups[g].Parameters.Count)
            {
                throw new ArgumentException(
                    $"Parameter group {g} of the optimizer state has {saved} parameter(s), but this optimizer's group {g} has {_groups[g].Parameters.Count}.", nameof(state));
            }

            OptimizerOptions validated = _groups[g].Options.Copy(); // read into a copy first: a bad value must change nothing
            validated.Read(meta, prefix);
            validated.Validate();
            for (int i = 0; i < saved; i++)
            {
                owners.Add((g, i));
            }
        }

        var steps = new Dictionary<int, long>();
        foreach (KeyValuePair<string, string> kv in meta)
        {
            if (kv.Key.StartsWith("state.", StringComparison.Ordinal))
            {
                (int index, string name) = ParseStateKey(kv.Key, owners.Count);
                if (name != "step" || !long.TryParse(kv.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long step))
                {
                    throw new ArgumentException($"Unexpected optimizer state metadata entry '{kv.Key}' = '{kv.Value}' (only state.<i>.step = <count> is known).", nameof(state));
                }

                steps[index] = step;
            }
        }

        var tensors = new List<(int Slot, int Index, Tensor Source)>();
        foreach (KeyValuePair<string, Tensor> kv in state.Tensors)
        {
            (int index, string name) = ParseStateKey(kv.Key, owners.Count);
            int slot = Array.IndexOf(_stateNames, name);
            if (slot < 0)
            {
                throw new ArgumentException($"Unexpected optimizer state tensor '{kv.Key}': {Name} keeps {string.Join(", ", _stateNames)}.", nameof(state));
            }

            (int g, int i) = owners[index];
            long[] want = _groups[g].Parameters[i].Shape;
            long[] have = kv.Value.Shape;
            if (!want.AsSpan().SequenceEqual(have))
            {
                throw new ArgumentException(
                    $"Optimizer state tensor '{kv.Key}' has shape [{string.Join(", ", have)}], but parameter {index} has shape [{string.Join(", ", want)}].", nameof(state));
            }

            tensors.Add((slot, index, kv.Value));
        }

        for (int g = 0; g < _groups.Count; g++)
        {
            string prefix = $"param_groups.{Invariant(g)}.";
            _groups[g].Options.Read(meta, prefix);
            _states[g].Clear();
            Array.Clear(_states[g].Steps);
        }

        foreach ((int index, long step) in steps)
        {
            (int g, int i) = owners[index];
            _states[g].Steps[i] = step;
        }

        using var scope = new TensorScope();
        using var noGrad = new NoGradScope();
        foreach ((int slot, int index, Tensor source) in tensors)
        {
            (int g, int i) = owners[index];
            Tensor p = _groups[g].Parameters[i];
            DType dtype = p.DType;
            _states[g].Set(slot, i, source.To(p.Device, dtype.IsFloatingPoint() ? dtype : null, copy: true));
        }
    }

    /// <summary>Frees the optimizer's state tensors (not the parameters).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the state tensors when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (disposing)
        {
            foreach (ParameterGroupState state in _states)
            {
                state.Clear();
            }
        }
    }

    /// <summary>The options type this optimizer needs, for error messages.</summary>
    private protected abstract string OptionsTypeName { get; }

    /// <summary>Whether <paramref name="options"/> suit this optimizer.</summary>
    private protected abstract bool AcceptsOptions(OptimizerOptions options);

    /// <summary>Updates one non-empty group's parameters from their gradients, creating state as needed.</summary>
    private protected abstract void StepGroup(ParameterGroup group, ParameterGroupState state);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Require(IReadOnlyDictionary<string, string> meta, string key) =>
        meta.TryGetValue(key, out string? v) ? v : throw new ArgumentException($"The optimizer state lacks the metadata entry '{key}'.");

    private static int ParseInt(IReadOnlyDictionary<string, string> meta, string key)
    {
        string text = Require(meta, key);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new ArgumentException($"Optimizer state entry '{key}' = '{text}' is not a count.");
    }

    private static (int Index, string Name) ParseStateKey(string key, int parameterCount)
    {
        string[] parts = key.Split('.');
        if (parts.Length != 3 || parts[0] != "state" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            throw new ArgumentException($"'{key}' is not an optimizer state key (state.<parameter index>.<name>).");
        }

        if (index >= parameterCount)
        {
            throw new ArgumentException($"Optimizer state key '{key}' names parameter {index}, but the optimizer has {parameterCount} parameter(s).");
        }

        return (index, parts[2]);
    }
}
