using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>Per-sample reductions of per-element losses with an optional element mask.</summary>
internal static class LossReduction
{
    /// <summary>Σ over every non-batch dimension of <c>mask·values</c>: <c>[B]</c>.</summary>
    public static Tensor SumPerSample(Tensor values, Tensor? mask)
    {
        Tensor v = mask is null ? values : values * mask.To(values.DType);
        return v.Flatten(1).Sum([1]);
    }

    /// <summary>The mean over the (masked) elements of each sample: <c>[B]</c>.</summary>
    public static Tensor MeanPerSample(Tensor values, Tensor? mask)
    {
        if (mask is null) return values.Flatten(1).Mean([1]);
        Tensor m = mask.To(values.DType).Expand(values.Shape);
        return (values * m).Flatten(1).Sum([1]) / m.Flatten(1).Sum([1]).Maximum(1e-12);
    }

    /// <summary>Reshapes a per-sample vector <c>[B]</c> to <c>[B, 1, …, 1]</c> to broadcast over samples of rank <paramref name="rank"/>.</summary>
    public static Tensor PerSample(Tensor v, int rank)
    {
        var shape = new long[rank];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        return v.Reshape(shape);
    }

    public static void CheckDraw(Tensor images, NoiseDraw draw)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(draw);
        if (images.Dim < 2 || draw.BatchSize != images.Size(0) || !draw.Noise.Shape.SequenceEqual(images.Shape))
        {
            throw new ArgumentException(
                $"The noise draw (σ [{draw.BatchSize}], noise [{string.Join(", ", draw.Noise.Shape)}]) does not match the images " +
                $"[{string.Join(", ", images.Shape)}]; draw it for these images with ITrainingLoss.Draw.", nameof(draw));
        }
    }

    public static void CheckShape(ReadOnlySpan<long> imageShape)
    {
        if (imageShape.Length < 2 || imageShape[0] < 1)
        {
            throw new ArgumentException($"Expected a batch shape [B, C, …] with B ≥ 1; got [{string.Join(", ", imageShape.ToArray())}].", nameof(imageShape));
        }
    }
}
