using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Edm2;

/// <summary>
/// Turns <see cref="Conditioning.ClassLabels"/> into the EDM2 label input: float one-hot vectors <c>[B, L]</c>
/// (EDM convention; zeros = unconditional), with int64 class indices <c>[B]</c> one-hot encoded and absent labels
/// replaced by zeros.
/// </summary>
internal static class Edm2Labels
{
    public static Tensor? Resolve(Tensor? labels, int labelDim, long batch, Device device)
    {
        if (labelDim == 0)
        {
            if (labels is not null)
            {
                throw new ArgumentException(
                    "This EDM2 UNet is unconditional (LabelDim 0) but the conditioning has class labels; remove them or build the network with LabelDim > 0.");
            }

            return null;
        }

        if (labels is null) return Tensor.Zeros([batch, labelDim], DType.Float32, device);

        long[] s = labels.Shape;
        if (!labels.DType.IsFloatingPoint() && labels.DType != DType.Bool)
        {
            if (s.Length != 1 || s[0] != batch)
            {
                throw new ArgumentException($"Integer class labels must be indices of shape [{batch}]; got {labels}.");
            }

            using var scope = new TensorScope();
            if (batch > 0)
            {
                long min = labels.Min().ToInt64();
                long max = labels.Max().ToInt64();
                if (min < 0 || max >= labelDim)
                {
                    throw new ArgumentException(
                        $"Class indices must lie in [0, {labelDim}); got values in [{min}, {max}]. For the unconditional label pass zeros [B, {labelDim}] as float labels.");
                }
            }

            return labels.To(DType.Int64).OneHot(labelDim).To(DType.Float32).MoveToOuterScope();
        }

        Check(labels, labelDim, batch);
        return labels.To(DType.Float32);
    }

    public static void Check(Tensor labels, int labelDim, long batch)
    {
        long[] s = labels.Shape;
        if (s.Length != 2 || s[1] != labelDim || (s[0] != batch && s[0] != 1))
        {
            throw new ArgumentException(
                $"Class labels must be one-hot vectors [{batch}, {labelDim}] (or int64 indices [{batch}]); got [{string.Join(", ", s)}].");
        }
    }
}
