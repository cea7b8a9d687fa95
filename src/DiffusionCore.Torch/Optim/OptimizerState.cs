namespace DiffusionCore.Torch.Optim;

/// <summary>
/// An optimizer's state for checkpoints (torch.optim.Optimizer.state_dict), laid out to be written as a safetensors file:
/// <see cref="Tensors"/> holds the per-parameter buffers under keys <c>state.{i}.{name}</c> (i numbers parameters across
/// groups, name as in PyTorch: <c>exp_avg</c>, <c>exp_avg_sq</c>, <c>max_exp_avg_sq</c>, <c>momentum_buffer</c>), and
/// <see cref="Metadata"/> holds exact strings: <c>optimizer</c>, <c>param_groups</c> (count),
/// <c>param_groups.{g}.params</c> (comma-separated indices), <c>param_groups.{g}.{hyperparameter}</c> and
/// <c>state.{i}.step</c>. Disposing it disposes the tensors it holds.
/// </summary>
public sealed class OptimizerState : IDisposable
{
    /// <summary>The value of the <c>format</c> metadata entry written by this version.</summary>
    public const string FormatVersion = "diffusioncore.optimizer/1";

    /// <summary>Creates an empty state.</summary>
    public OptimizerState()
    {
    }

    /// <summary>Creates a state from tensors and metadata, e.g. as read back from a safetensors file; takes ownership of the tensors.</summary>
    public OptimizerState(IEnumerable<KeyValuePair<string, Tensor>> tensors, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        foreach (KeyValuePair<string, Tensor> kv in tensors)
        {
            Tensors.Add(kv.Key, kv.Value);
        }

        foreach (KeyValuePair<string, string> kv in metadata)
        {
            Metadata.Add(kv.Key, kv.Value);
        }
    }

    /// <summary>State tensors by key, in parameter order.</summary>
    public OrderedDictionary<string, Tensor> Tensors { get; } = new(StringComparer.Ordinal);

    /// <summary>Optimizer type, parameter grouping, hyperparameters and step counts, as exact culture-invariant strings.</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>Disposes every tensor in <see cref="Tensors"/>.</summary>
    public void Dispose()
    {
        foreach (Tensor t in Tensors.Values)
        {
            t.Dispose();
        }
    }
}
