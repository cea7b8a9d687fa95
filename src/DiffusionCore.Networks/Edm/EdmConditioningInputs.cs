using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// Reads the EDM networks' conditioning inputs from a <see cref="Conditioning"/>: class labels as one-hot float vectors
/// (Karras et al. 2022, App. F.2: "class conditioning … one-hot"), augmentation labels (App. D.2), and label dropout for
/// classifier-free guidance (Ho &amp; Salimans 2022).
/// </summary>
internal static class EdmConditioningInputs
{
    /// <summary>
    /// Class labels as float32 one-hot rows <c>[B, L]</c>: float <c>[B, L]</c> labels are taken as given (zeros mean
    /// unconditional), int64 indices <c>[B]</c> are one-hot encoded, and missing labels give zeros (as the EDM
    /// preconditioner does).
    /// </summary>
    /// <exception cref="ArgumentException">The labels have the wrong shape, dtype or range.</exception>
    public static Tensor ClassLabels(Conditioning conditioning, int labelDim, long batch, Device device)
    {
        Tensor? labels = conditioning.ClassLabels;
        if (labels is null)
        {
            return Tensor.Zeros([batch, labelDim], DType.Float32, device);
        }

        long[] s = labels.Shape;
        if (labels.DType == DType.Int64)
        {
            if (s.Length != 1 || s[0] != batch)
            {
                throw new ArgumentException($"Integer class labels must be indices [{batch}]; got [{string.Join(", ", s)}].", nameof(conditioning));
            }

            if (batch > 0 && labels.Device != Device.Meta)
            {
                long min = labels.Min().ToInt64(), max = labels.Max().ToInt64();
                if (min < 0 || max >= labelDim)
                {
                    throw new ArgumentException(
                        $"Class indices must lie in [0, {labelDim}); got [{min}, {max}]. For an unconditional sample pass a zero one-hot row instead.",
                        nameof(conditioning));
                }
            }

            using var scope = new TensorScope();
            return labels.OneHot(labelDim).To(DType.Float32).MoveToOuterScope();
        }

        if (!labels.DType.IsFloatingPoint() || s.Length != 2 || s[0] != batch || s[1] != labelDim)
        {
            throw new ArgumentException(
                $"Class labels must be one-hot floats [{batch}, {labelDim}] or int64 indices [{batch}]; got {labels}.", nameof(conditioning));
        }

        return labels.To(DType.Float32);
    }

    /// <summary>The augmentation labels <c>[B, A]</c> as float32, or null when absent.</summary>
    /// <exception cref="ArgumentException">The labels have the wrong shape or dtype.</exception>
    public static Tensor? AugmentLabels(Conditioning conditioning, int augmentDim, long batch)
    {
        Tensor? labels = conditioning.AugmentLabels;
        if (labels is null)
        {
            return null;
        }

        long[] s = labels.Shape;
        if (!labels.DType.IsFloatingPoint() || s.Length != 2 || s[0] != batch || s[1] != augmentDim)
        {
            throw new ArgumentException($"Augmentation labels must be floats [{batch}, {augmentDim}]; got {labels}.", nameof(conditioning));
        }

        return labels.To(DType.Float32);
    }

    /// <summary>
    /// Label dropout: in training, each sample's label row is zeroed with probability <paramref name="probability"/>
    /// (a uniform draw ≥ p keeps it), drawing from <paramref name="generator"/>; otherwise the labels are returned as they are.
    /// </summary>
    public static Tensor DropLabels(Tensor labels, double probability, bool training, Generator? generator)
    {
        if (!training || probability == 0)
        {
            return labels.Alias();
        }

        using var scope = new TensorScope();
        Tensor keep = Tensor.Rand([labels.Size(0), 1], generator, DType.Float32, labels.Device).Ge(probability).To(labels.DType);
        return labels.Mul(keep).MoveToOuterScope();
    }
}
