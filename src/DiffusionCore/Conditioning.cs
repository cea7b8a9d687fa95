using System.Collections.ObjectModel;
using DiffusionCore.Torch;

namespace DiffusionCore;

/// <summary>
/// An immutable set of named, batched conditioning tensors passed through <see cref="IDenoiser"/> to a network: class
/// labels, augmentation labels, control metadata, text tokens or embeddings, or any custom entry. Every entry has the
/// batch as its first dimension. Samplers carry it without knowing what it means; guidance decorators concatenate and
/// slice it along the batch. A <see cref="Conditioning"/> does not own its tensors: their lifetime is the caller's
/// (usually a <see cref="TensorScope"/>).
/// </summary>
/// <remarks>
/// In training, a conditioning also carries the generator of the network's own random draws
/// (<see cref="DropoutGenerator"/>: dropout masks, label dropout inside a network), so that a forward pass is a pure
/// function of its arguments, as Flax passes a dropout key to <c>apply</c>. The trainer sets it from the step's
/// dropout stream; samplers and guidance carry it along untouched.
/// </remarks>
public sealed class Conditioning
{
    private readonly ReadOnlyDictionary<string, Tensor> _entries;

    /// <summary>Creates a conditioning from named tensors (names are compared ordinally).</summary>
    /// <param name="entries">The named tensors.</param>
    /// <param name="dropoutGenerator">The generator of the network's training-time random draws, or null (<see cref="DropoutGenerator"/>).</param>
    /// <exception cref="ArgumentException">A name is empty or appears twice.</exception>
    public Conditioning(IEnumerable<KeyValuePair<string, Tensor>> entries, Generator? dropoutGenerator = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var dict = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, Tensor> e in entries)
        {
            if (string.IsNullOrWhiteSpace(e.Key))
            {
                throw new ArgumentException("Conditioning entry names must be non-empty; use ConditioningKeys or your own name.", nameof(entries));
            }

            ArgumentNullException.ThrowIfNull(e.Value, $"{nameof(entries)}[{e.Key}]");
            if (!dict.TryAdd(e.Key, e.Value))
            {
                throw new ArgumentException($"The conditioning entry '{e.Key}' is given twice; give each name once.", nameof(entries));
            }
        }

        _entries = new ReadOnlyDictionary<string, Tensor>(dict);
        DropoutGenerator = dropoutGenerator;
    }

    /// <summary>No conditioning (an unconditional model).</summary>
    public static Conditioning None { get; } = new(Array.Empty<KeyValuePair<string, Tensor>>());

    /// <summary>Conditioning with class labels only (<see cref="ConditioningKeys.ClassLabels"/>).</summary>
    public static Conditioning FromClassLabels(Tensor labels) => None.With(ConditioningKeys.ClassLabels, labels);

    /// <summary>All entries by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Entries => _entries;

    /// <summary>The entry names, in ordinal order.</summary>
    public IReadOnlyList<string> Names => _entries.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>True when there is no entry.</summary>
    public bool IsEmpty => _entries.Count == 0;

    /// <summary>
    /// The generator of the network's training-time random draws (dropout masks, label dropout inside the network), or
    /// null. It is not a conditioning input: it does not take part in <see cref="IsEmpty"/>, <see cref="Names"/> or
    /// batch checks, and a network in evaluation mode never reads it. Not owned by the conditioning.
    /// </summary>
    public Generator? DropoutGenerator { get; }

    /// <summary>The class labels, or null (<see cref="ConditioningKeys.ClassLabels"/>).</summary>
    public Tensor? ClassLabels => Find(ConditioningKeys.ClassLabels);

    /// <summary>The augmentation labels, or null (<see cref="ConditioningKeys.AugmentLabels"/>).</summary>
    public Tensor? AugmentLabels => Find(ConditioningKeys.AugmentLabels);

    /// <summary>The control metadata, or null (<see cref="ConditioningKeys.ControlMetadata"/>).</summary>
    public Tensor? ControlMetadata => Find(ConditioningKeys.ControlMetadata);

    /// <summary>The text token ids, or null (<see cref="ConditioningKeys.TextTokens"/>).</summary>
    public Tensor? TextTokens => Find(ConditioningKeys.TextTokens);

    /// <summary>The text embeddings, or null (<see cref="ConditioningKeys.TextEmbeddings"/>).</summary>
    public Tensor? TextEmbeddings => Find(ConditioningKeys.TextEmbeddings);

    /// <summary>True when an entry of that name exists.</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>The entry of that name, or null.</summary>
    public Tensor? Find(string name) => _entries.GetValueOrDefault(name);

    /// <summary>The entry of that name.</summary>
    /// <exception cref="KeyNotFoundException">There is no such entry; the message lists the entries present.</exception>
    public Tensor Get(string name) => _entries.TryGetValue(name, out Tensor? t)
        ? t
        : throw new KeyNotFoundException(
            $"The conditioning has no entry '{name}' (it has: {(IsEmpty ? "none" : string.Join(", ", Names))}). " +
            "Add it with Conditioning.With(name, tensor).");

    /// <summary>A copy with <paramref name="name"/> set to <paramref name="value"/> (added or replaced).</summary>
    public Conditioning With(string name, Tensor value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        var dict = new Dictionary<string, Tensor>(_entries, StringComparer.Ordinal) { [name] = value };
        return new Conditioning(dict, DropoutGenerator);
    }

    /// <summary>A copy whose <see cref="DropoutGenerator"/> is <paramref name="generator"/> (null removes it).</summary>
    public Conditioning WithDropoutGenerator(Generator? generator) =>
        ReferenceEquals(generator, DropoutGenerator) ? this : new Conditioning(_entries, generator);

    /// <summary>A copy without the entry <paramref name="name"/> (unchanged if absent).</summary>
    public Conditioning Without(string name)
    {
        if (!_entries.ContainsKey(name)) return this;
        return new Conditioning(_entries.Where(e => !string.Equals(e.Key, name, StringComparison.Ordinal)), DropoutGenerator);
    }

    /// <summary>
    /// Checks that every entry has <paramref name="batchSize"/> as its first dimension.
    /// </summary>
    /// <exception cref="ArgumentException">An entry is a scalar or has a different batch size; names the entry.</exception>
    public void ValidateBatch(long batchSize)
    {
        foreach ((string name, Tensor t) in _entries)
        {
            long[] shape = t.Shape;
            if (shape.Length == 0 || shape[0] != batchSize)
            {
                throw new ArgumentException(
                    $"Conditioning entry '{name}' has shape [{string.Join(", ", shape)}] but the batch has {batchSize} samples: " +
                    "every conditioning tensor must have the batch as its first dimension.");
            }
        }
    }

    /// <summary>The samples <paramref name="start"/>..<paramref name="start"/>+<paramref name="length"/>−1 of every entry (views).</summary>
    public Conditioning Narrow(long start, long length) =>
        IsEmpty ? this : new Conditioning(_entries.Select(e => KeyValuePair.Create(e.Key, e.Value.Narrow(0, start, length))), DropoutGenerator);

    /// <summary>
    /// Concatenates conditionings along the batch (used to evaluate conditional and unconditional branches in one call).
    /// </summary>
    /// <exception cref="ArgumentException">The parts do not have the same entry names, or carry different dropout generators.</exception>
    public static Conditioning Cat(IReadOnlyList<Conditioning> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) throw new ArgumentException("Give at least one conditioning to concatenate.", nameof(parts));
        if (parts.Count == 1) return parts[0];
        IReadOnlyList<string> names = parts[0].Names;
        for (int i = 1; i < parts.Count; i++)
        {
            if (!parts[i].Names.SequenceEqual(names, StringComparer.Ordinal))
            {
                throw new ArgumentException(
                    $"Cannot concatenate conditionings with different entries: [{string.Join(", ", names)}] vs " +
                    $"[{string.Join(", ", parts[i].Names)}]. Give the unconditional branch the same entries (e.g. null labels) " +
                    "or evaluate the branches separately.", nameof(parts));
            }

            if (!ReferenceEquals(parts[i].DropoutGenerator, parts[0].DropoutGenerator))
            {
                throw new ArgumentException(
                    "Cannot concatenate conditionings that carry different dropout generators: one batch draws from one generator. " +
                    "Give every part the same generator (WithDropoutGenerator) or evaluate the parts separately.", nameof(parts));
            }
        }

        return new Conditioning(names.Select(n => KeyValuePair.Create(n, Tensor.Cat(parts.Select(p => p._entries[n]).ToArray()))), parts[0].DropoutGenerator);
    }

    /// <inheritdoc />
    public override string ToString() => IsEmpty ? "Conditioning(none)" : $"Conditioning({string.Join(", ", Names)})";
}
