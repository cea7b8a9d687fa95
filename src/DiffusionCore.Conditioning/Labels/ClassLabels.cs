using DiffusionCore.Torch;

namespace DiffusionCore.Labels;

/// <summary>
/// The one resolution of <see cref="ConditioningKeys.ClassLabels"/> into the label input of the EDM family of networks
/// (Karras et al. 2022, App. F.2, and 2024, §2: one-hot vectors, the zero vector meaning unconditional) and the one
/// encoding of dataset labels into either convention (<see cref="ClassLabelFormat"/>).
/// </summary>
public static class ClassLabels
{
    /// <summary>
    /// Class labels as float32 one-hot rows: float labels <c>[B, L]</c> (or one row <c>[1, L]</c> for the whole
    /// batch) are taken as given (zeros mean unconditional, soft labels are allowed); integer class indices <c>[B]</c>
    /// in <c>[0, L)</c> are one-hot encoded; absent labels give zero rows <c>[B, L]</c> (the unconditional label).
    /// </summary>
    /// <param name="labels">The <see cref="Conditioning.ClassLabels"/> entry, or null.</param>
    /// <param name="labelDim">L, the number of classes (≥ 1).</param>
    /// <param name="batch">B, the batch size.</param>
    /// <param name="device">The device of zero rows made for absent labels.</param>
    /// <returns>float32 <c>[B, L]</c> (or <c>[1, L]</c> when given so); the caller's scope owns it.</returns>
    /// <exception cref="ArgumentException">The labels have the wrong shape, dtype or range; the message says which.</exception>
    public static Tensor OneHot(Tensor? labels, int labelDim, long batch, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(labelDim, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (labels is null)
        {
            return Tensor.Zeros([batch, labelDim], DType.Float32, device);
        }

        if (IsIndexType(labels.DType))
        {
            CheckIndices(labels, labelDim, batch);
            using var scope = new TensorScope();
            return labels.To(DType.Int64).OneHot(labelDim).To(DType.Float32).MoveToOuterScope();
        }

        CheckRows(labels, labelDim, batch);
        return labels.To(DType.Float32);
    }

    /// <summary>Checks float label rows: <c>[B, L]</c>, or one row <c>[1, L]</c> for the whole batch.</summary>
    /// <exception cref="ArgumentException">The labels are not floating point or have another shape; the message says which.</exception>
    public static void CheckRows(Tensor labels, int labelDim, long batch)
    {
        ArgumentNullException.ThrowIfNull(labels);
        long[] s = labels.Shape;
        if (!labels.DType.IsFloatingPoint() || s.Length != 2 || s[1] != labelDim || (s[0] != batch && s[0] != 1))
        {
            throw new ArgumentException(
                $"Class labels must be one-hot floats [{batch}, {labelDim}] (or one row [1, {labelDim}] for the whole batch) or integer " +
                $"class indices [{batch}]; got [{string.Join(", ", s)}] of {labels.DType}.");
        }
    }

    /// <summary>
    /// Writes dataset labels (int64 class indices <c>[B]</c>) in <paramref name="format"/>: the indices themselves, or
    /// float32 one-hot rows <c>[B, <paramref name="classCount"/>]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The labels are not integer indices <c>[B]</c>.</exception>
    public static Tensor Encode(Tensor indices, int classCount, ClassLabelFormat format)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (!IsIndexType(indices.DType) || indices.Dim != 1)
        {
            throw new ArgumentException($"Dataset labels must be integer class indices [B]; got [{string.Join(", ", indices.Shape)}] of {indices.DType}.", nameof(indices));
        }

        return format switch
        {
            ClassLabelFormat.Indices => indices.To(DType.Int64),
            ClassLabelFormat.OneHot => OneHotOf(indices, classCount),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown class-label format."),
        };
    }

    /// <summary>
    /// Checks class labels against the network's declared input (<see cref="ClassLabelSpec"/>): a one-hot network takes
    /// float rows <c>[B, L]</c> (or <c>[1, L]</c>) or integer indices <c>[B]</c> in <c>[0, L)</c>; an index network
    /// (DiT) takes integer indices <c>[B]</c> in <c>[0, L)</c>, or the null label L when it has one.
    /// </summary>
    /// <param name="spec">The network's class-label input.</param>
    /// <param name="labels">The labels.</param>
    /// <param name="batch">B, the batch size.</param>
    /// <exception cref="ArgumentException">The labels have the wrong dtype (float rows for an index network), width, shape or range; the message says which and how to fix it.</exception>
    public static void Check(ClassLabelSpec spec, Tensor labels, long batch)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(labels);
        if (spec.Format == ClassLabelFormat.OneHot)
        {
            if (IsIndexType(labels.DType)) CheckIndices(labels, spec.ClassCount, batch);
            else CheckRows(labels, spec.ClassCount, batch);
            return;
        }

        if (!IsIndexType(labels.DType))
        {
            throw new ArgumentException(
                $"This network takes int64 class indices [{batch}] ({spec.ClassCount} classes{(spec.HasUnconditional ? $", null label {spec.ClassCount}" : string.Empty)}); " +
                $"got [{string.Join(", ", labels.Shape)}] of {labels.DType}. Pass Tensor.FromArray(new long[] {{ … }}), not one-hot rows.");
        }

        CheckIndices(labels, spec.ClassCount + (spec.HasUnconditional ? 1 : 0), batch);
    }

    /// <summary>True for integer dtypes (class indices); false for floating point and bool.</summary>
    internal static bool IsIndexType(DType dtype) => !dtype.IsFloatingPoint() && dtype != DType.Bool;

    private static Tensor OneHotOf(Tensor indices, int classCount)
    {
        using var scope = new TensorScope();
        return indices.To(DType.Int64).OneHot(classCount).To(DType.Float32).MoveToOuterScope();
    }

    private static void CheckIndices(Tensor labels, int labelDim, long batch)
    {
        long[] s = labels.Shape;
        if (s.Length != 1 || s[0] != batch)
        {
            throw new ArgumentException($"Integer class labels must be indices [{batch}]; got [{string.Join(", ", s)}].");
        }

        if (batch == 0 || labels.Device == Device.Meta)
        {
            return;
        }

        using var scope = new TensorScope();
        long min = labels.Min().ToInt64(), max = labels.Max().ToInt64();
        if (min < 0 || max >= labelDim)
        {
            throw new ArgumentException(
                $"Class indices must lie in [0, {labelDim}); got values in [{min}, {max}]. For the unconditional label pass zero one-hot rows " +
                $"(float labels [B, {labelDim}]) instead; DiffusionTrainer writes them with TrainingOptions.LabelFormat = OneHot.");
        }
    }
}
