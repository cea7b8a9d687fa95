using DiffusionCore.Torch;

namespace DiffusionCore.Labels;

/// <summary>
/// Label dropout, the training half of classifier-free guidance (Ho &amp; Salimans 2022, §3.2 and Algorithm 1: the
/// condition is replaced by the null token ∅ with probability p_uncond): the one implementation used by the networks
/// that drop labels themselves (EDM's <c>label_dropout</c>, DiT's <c>class_dropout_prob</c>) and by the trainer.
/// One uniform number u per sample is drawn from the generator (float32, in batch order) and the sample's label is
/// dropped when <c>u &lt; p</c>: float label rows (one-hot, EDM) are multiplied by the keep mask, so a dropped row is
/// zeros; integer class indices (DiT) are replaced by the null label.
/// </summary>
public static class LabelDropout
{
    /// <summary>Drops each sample's label with probability <paramref name="probability"/>.</summary>
    /// <param name="labels">Float label rows <c>[B, …]</c> or integer class indices <c>[B]</c>.</param>
    /// <param name="probability">p in [0, 1]; p = 0 draws nothing and returns the labels as they are.</param>
    /// <param name="generator">The generator of the draw (the default generator when null, which is not reproducible).</param>
    /// <param name="nullLabel">The null label that replaces dropped integer indices (DiT: the number of classes); unused for float rows.</param>
    /// <returns>The labels with the dropped samples replaced; the caller's scope owns it.</returns>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1].</exception>
    /// <exception cref="ArgumentException">Integer labels without a null label, or labels that are not <c>[B]</c> indices or float rows.</exception>
    public static Tensor Apply(Tensor labels, double probability, Generator? generator, long? nullLabel = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        CheckProbability(probability);
        bool indices = ClassLabels.IsIndexType(labels.DType);
        if (indices && nullLabel is null)
        {
            throw new ArgumentException(
                "Dropping integer class indices needs the null label that replaces them (DiT: the number of classes); pass nullLabel, " +
                "or give one-hot float labels, whose dropped rows become zeros.", nameof(nullLabel));
        }

        if (indices ? labels.Dim != 1 : !labels.DType.IsFloatingPoint() || labels.Dim < 1)
        {
            throw new ArgumentException($"Labels to drop must be integer class indices [B] or float rows [B, …]; got [{string.Join(", ", labels.Shape)}] of {labels.DType}.", nameof(labels));
        }

        if (probability == 0)
        {
            return labels.Alias();
        }

        using var scope = new TensorScope();
        long batch = labels.Size(0);
        Tensor u = Tensor.Rand([batch], generator, DType.Float32, labels.Device);
        if (indices)
        {
            Tensor nulls = Tensor.Full(labels.Shape, nullLabel!.Value, labels.DType, labels.Device);
            return Tensor.Where(u.Lt(probability), nulls, labels).MoveToOuterScope();
        }

        long[] keepShape = new long[labels.Dim];
        Array.Fill(keepShape, 1L);
        keepShape[0] = batch;
        return labels.Mul(u.Ge(probability).To(labels.DType).Reshape(keepShape)).MoveToOuterScope();
    }

    /// <summary>
    /// The conditioning with its <see cref="ConditioningKeys.ClassLabels"/> entry dropped per sample
    /// (<see cref="Apply(Tensor, double, Generator?, long?)"/>); unchanged when it has no class labels.
    /// </summary>
    public static Conditioning Apply(Conditioning conditioning, double probability, Generator? generator, long? nullLabel = null)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        return conditioning.ClassLabels is { } labels
            ? conditioning.With(ConditioningKeys.ClassLabels, Apply(labels, probability, generator, nullLabel))
            : conditioning;
    }

    /// <summary>Throws unless 0 ≤ p ≤ 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1] or NaN.</exception>
    public static void CheckProbability(double probability)
    {
        if (!(probability is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The label dropout probability must be in [0, 1] (CFG training: 0.1–0.2).");
        }
    }
}
