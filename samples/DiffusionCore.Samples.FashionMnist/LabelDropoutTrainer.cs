using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Training;
using DiffusionCore.Data;
using DiffusionCore.Training.Ema;
using DiffusionCore.Training.Losses;
using Microsoft.Extensions.Logging;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>
/// The trainer with label dropout for classifier-free guidance (Ho &amp; Salimans 2022): each sample's one-hot label is
/// replaced by zeros — the EDM2 UNet's unconditional input — with probability p. The draw comes from a generator seeded
/// by (seed, images seen), so a resumed run drops exactly the labels an uninterrupted run would.
/// </summary>
internal sealed class LabelDropoutTrainer(
    Module network, ITrainingLoss loss, IImageDataset dataset, TrainingOptions options, IEnumerable<IEmaTracker> emaTrackers,
    double labelDropout, ILogger<DiffusionTrainer>? logger)
    : DiffusionTrainer(network, loss, dataset, options, emaTrackers, logger)
{
    private readonly ulong _seed = (ulong)options.Seed;

    /// <summary>Writes a snapshot of every power EMA now (at the end of a run), so post-hoc EMA can target this time.</summary>
    public void WriteFinalSnapshot() => WriteSnapshot(ImagesSeen);

    protected override Conditioning CreateConditioning(ImageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Tensor labels = batch.Labels ?? throw new InvalidOperationException("Fashion-MNIST batches carry labels.");
        Tensor oneHot = labels.OneHot(Dataset.LabelCount).To(DType.Float32);
        if (labelDropout > 0)
        {
            using var g = new Generator(unchecked((_seed * 0x9E3779B97F4A7C15UL) ^ (ulong)ImagesSeen ^ 0x1ABE1D50UL));
            Tensor keep = Tensor.Rand([labels.Size(0), 1], g).Ge(labelDropout).To(DType.Float32);
            oneHot = oneHot * keep;
        }

        return Conditioning.FromClassLabels(oneHot);
    }
}
