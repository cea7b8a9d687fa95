using DiffusionCore.Torch;

namespace DiffusionCore.Training;

/// <summary>
/// Everything random about one training step, and where it is in the run: the images seen before it, the dataset
/// indices of its batch, and one generator per purpose, each seeded from (run seed, images seen, purpose) by SplitMix64
/// mixing. A step's draws are therefore a pure function of the seed and the images seen, so a resumed run draws
/// exactly what an uninterrupted one would (EDM2's time in images seen, Karras et al. 2024, §3), and the streams are
/// independent: drawing more σ values (or none) never shifts the noise, a new dropout draw never shifts the labels.
/// The trainer makes one per step and passes it to the loss (<see cref="Losses.ITrainingLoss.Draw"/>), to conditioning
/// and mask creation, and to the network (its <see cref="Dropout"/> stream, as the conditioning's dropout generator).
/// A step split into accumulation rounds shares its generators: each round continues where the previous one stopped.
/// Generators are made on first use and disposed with the step.
/// </summary>
public sealed class TrainingStep : IDisposable
{
    private readonly Generator?[] _generators = new Generator?[9];
    private bool _disposed;

    /// <summary>Creates the context of the step that starts at <paramref name="imagesSeen"/>.</summary>
    /// <param name="seed">The run seed.</param>
    /// <param name="imagesSeen">Images seen before this step (≥ 0).</param>
    /// <param name="batch">The dataset indices of the step's images, in order (at least one).</param>
    /// <param name="device">The device of the generators (CPU when null); <see cref="Augmentation"/> is always on the CPU.</param>
    /// <param name="rankOffset">
    /// Data-parallel rank k of W passes k·B/W (docs/distributed.md): its <see cref="Dropout"/>, <see cref="ConditionDropout"/>, <see cref="ControlDropout"/>,
    /// <see cref="Mask"/> and <see cref="Augmentation"/> streams are seeded at images seen + offset, so the ranks draw
    /// independent streams for their slices while <see cref="Sigma"/> and <see cref="Noise"/>, drawn for the whole batch,
    /// stay the same on every rank. 0 (one process) changes nothing.
    /// </param>
    public TrainingStep(long seed, long imagesSeen, IReadOnlyList<int> batch, Device? device = null, long rankOffset = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rankOffset);
        RankOffset = rankOffset;
        ArgumentOutOfRangeException.ThrowIfNegative(imagesSeen);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) throw new ArgumentException("A training step has at least one image.", nameof(batch));
        Seed = seed;
        ImagesSeen = imagesSeen;
        Batch = batch;
        Device = device ?? Device.Cpu;
    }

    /// <summary>The run seed.</summary>
    public long Seed { get; }

    /// <summary>The data-parallel offset of this rank's per-rank streams (0 in one process).</summary>
    public long RankOffset { get; }

    /// <summary>Images seen before this step.</summary>
    public long ImagesSeen { get; }

    /// <summary>The dataset indices of the step's images, in order.</summary>
    public IReadOnlyList<int> Batch { get; }

    /// <summary>The number of images in the step.</summary>
    public int BatchSize => Batch.Count;

    /// <summary>The device of the generators.</summary>
    public Device Device { get; }

    /// <summary>The generator of the noise levels σ (or discrete timesteps) of the step's samples.</summary>
    public Generator Sigma => Get(StepStream.Sigma, Device);

    /// <summary>The generator of the standard normal noise n of <c>x = y + σ·n</c>.</summary>
    public Generator Noise => Get(StepStream.Noise, Device);

    /// <summary>The generator of the network's own random draws (dropout masks, label dropout inside a network).</summary>
    public Generator Dropout => Get(StepStream.Dropout, Device);

    /// <summary>The generator of label and condition dropout for classifier-free guidance (Ho &amp; Salimans 2022).</summary>
    public Generator ConditionDropout => Get(StepStream.ConditionDropout, Device);

    /// <summary>
    /// The generator of control dropout (Berrada et al. 2024; <see cref="Control.ControlDropout"/>), a stream of its own so
    /// that dropping controls never shifts the label dropout.
    /// </summary>
    public Generator ControlDropout => Get(StepStream.ControlDropout, Device);

    /// <summary>The generator of element and token masks (masked objectives such as MaskDM).</summary>
    public Generator Mask => Get(StepStream.Mask, Device);

    /// <summary>The CPU generator of data augmentation (<see cref="Data.NonLeakyAugmentation"/> draws on the CPU).</summary>
    public Generator Augmentation => Get(StepStream.Augmentation, Device.Cpu);

    /// <summary>Disposes the generators made so far.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (Generator? g in _generators) g?.Dispose();
    }

    private Generator Get(StepStream stream, Device device)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long position = stream is StepStream.Sigma or StepStream.Noise ? ImagesSeen : ImagesSeen + RankOffset;
        return _generators[(int)stream] ??= new Generator(StepSeeds.Derive(Seed, position, stream), device);
    }
}
