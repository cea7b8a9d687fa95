using DiffusionCore.Torch;

namespace DiffusionCore.Guidance;

/// <summary>Ready-made mappings from a batch's conditioning to its unconditional counterpart for <see cref="ClassifierFreeGuidance"/>.</summary>
public static class Unconditional
{
    /// <summary>
    /// Replaces int64 class labels <c>[B]</c> by the null label (DiT: index = number of classes, the extra embedding
    /// row trained with label dropout). Other entries are kept, so both branches batch into one call.
    /// </summary>
    public static Func<Conditioning, Conditioning> NullClassLabel(long nullLabel) => c =>
    {
        Tensor labels = c.Get(ConditioningKeys.ClassLabels);
        return c.With(ConditioningKeys.ClassLabels, Tensor.Full(labels.Shape, nullLabel, DType.Int64, labels.Device));
    };

    /// <summary>Replaces one-hot class labels <c>[B, C]</c> by zeros (the EDM convention for "no class").</summary>
    public static Func<Conditioning, Conditioning> ZeroClassLabels() => c =>
        c.With(ConditioningKeys.ClassLabels, c.Get(ConditioningKeys.ClassLabels).ZerosLike());

    /// <summary>Replaces the named entries by zeros of the same shape (e.g. text embeddings, control metadata).</summary>
    public static Func<Conditioning, Conditioning> Zeros(params string[] names) => c =>
    {
        Conditioning result = c;
        foreach (string n in names) result = result.With(n, c.Get(n).ZerosLike());
        return result;
    };

    /// <summary>Removes the named entries (the branches are then evaluated in two calls).</summary>
    public static Func<Conditioning, Conditioning> Drop(params string[] names) => c =>
    {
        Conditioning result = c;
        foreach (string n in names) result = result.Without(n);
        return result;
    };
}
