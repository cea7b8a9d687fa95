using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Optim;

namespace DiffusionCore.Torch.Serialization;

/// <summary>
/// Module and optimizer state dicts as safetensors files: the format PyTorch checkpoints are exported to, so weights
/// move between the two by key name (e.g. <c>blocks.3.attn.qkv.weight</c>) without renaming. Writes are atomic.
/// </summary>
public static class StateDictFiles
{
    /// <summary>Writes <see cref="Module.StateDict"/> (parameters and persistent buffers) to a safetensors file.</summary>
    /// <param name="module">The module to save.</param>
    /// <param name="path">The file to write (replaced atomically).</param>
    /// <param name="metadata">Optional <c>__metadata__</c> strings, e.g. the network configuration.</param>
    public static void SaveStateDict(this Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var scope = new TensorScope();
        SafeTensors.Save(path, module.StateDict(), metadata);
    }

    /// <summary>
    /// Loads a module's state from a safetensors file (torch.nn.Module.load_state_dict). Only the entries whose name
    /// starts with <paramref name="keyPrefix"/> are used, with the prefix removed, so a file that holds other tensors
    /// too (e.g. <c>state.*</c> next to <c>grad.*</c>, or <c>ema.*</c> in a checkpoint) can feed one module.
    /// </summary>
    /// <param name="module">The module to load into.</param>
    /// <param name="path">The safetensors file.</param>
    /// <param name="strict">Fail on any missing, unexpected or mis-shaped key (see <see cref="Module.LoadStateDict"/>).</param>
    /// <param name="keyPrefix">The prefix that selects and is stripped from the file's keys; empty for all keys.</param>
    /// <returns>The keys that did not match.</returns>
    /// <exception cref="StateDictLoadException">Strict loading found mismatches; nothing was copied.</exception>
    /// <exception cref="ArgumentException">No tensor starts with <paramref name="keyPrefix"/>; the message lists the prefixes the file has.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file.</exception>
    public static StateDictLoadResult LoadStateDict(this Module module, string path, bool strict = true, string keyPrefix = "")
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        using var scope = new TensorScope();
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (SafeTensorsEntry entry in file.Entries)
        {
            if (entry.Name.StartsWith(keyPrefix, StringComparison.Ordinal))
            {
                state.Add(entry.Name[keyPrefix.Length..], file.Read(entry.Name));
            }
        }

        if (state.Count == 0 && keyPrefix.Length > 0 && file.Entries.Count > 0)
        {
            throw new ArgumentException(
                $"No tensor in {path} starts with '{keyPrefix}'. The prefixes in the file are: {string.Join(", ", Prefixes(file))}. " +
                "Pass one of those as keyPrefix (a checkpoint EMA is 'ema.<name>.').", nameof(keyPrefix));
        }

        return module.LoadStateDict(state, strict);
    }

    // The first name segment of every tensor, and the named sub-states a writer recorded as "<prefix>name" = "<name>"
    // (e.g. "ema.phema-0.100." in a training checkpoint, whose names contain dots).
    private static IEnumerable<string> Prefixes(SafeTensorsFile file)
    {
        IEnumerable<string> named = file.Metadata
            .Where(m => m.Key.EndsWith(".name", StringComparison.Ordinal) && m.Key.Length > 5 && m.Key.EndsWith("." + m.Value + ".name", StringComparison.Ordinal))
            .Select(m => m.Key[..^4]);
        IEnumerable<string> first = file.Names.Select(n => n.Contains('.', StringComparison.Ordinal) ? n[..(n.IndexOf('.', StringComparison.Ordinal) + 1)] : n);
        return first.Concat(named).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
    }

    /// <summary>Writes an optimizer state (tensors and metadata strings) to a safetensors file.</summary>
    public static void Save(this OptimizerState state, string path)
    {
        ArgumentNullException.ThrowIfNull(state);
        SafeTensors.Save(path, state.Tensors, state.Metadata);
    }

    /// <summary>Reads an optimizer state written by <see cref="Save(OptimizerState, string)"/>; the caller owns (disposes) it.</summary>
    public static OptimizerState LoadOptimizerState(string path)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (SafeTensorsEntry entry in file.Entries)
        {
            tensors.Add(new(entry.Name, file.Read(entry.Name).DetachFromScope()));
        }

        return new OptimizerState(tensors, file.Metadata);
    }
}
