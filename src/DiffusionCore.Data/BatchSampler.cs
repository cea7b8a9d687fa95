using DiffusionCore.Torch;

namespace DiffusionCore.Data;

/// <summary>
/// Shuffled, seeded batching positioned by images seen (EDM2 measures training time in images, so a resumed run
/// continues the same order). Epoch e's order is a permutation drawn by libtorch's randperm from a generator seeded
/// with SplitMix64(Seed, e): it depends only on (Seed, e), never on how many batches came before, so
/// <see cref="Seek"/> to any recorded position reproduces the stream exactly. Only the current epoch's permutation is
/// held (4 bytes per image); images are read by the dataset per batch.
/// </summary>
public sealed class BatchSampler
{
    private readonly BatchSamplerOptions _options;
    private int[]? _order;
    private long _orderEpoch = -1;

    /// <summary>Creates a sampler over <paramref name="count"/> images, positioned at 0 images seen.</summary>
    public BatchSampler(int count, BatchSamplerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        options.Validate();
        if (options.Tail == BatchTail.DropLast && options.BatchSize > count)
        {
            throw new ArgumentException(
                $"BatchSize {options.BatchSize} exceeds the {count} images, so DropLast would yield no batch; use a smaller batch or BatchTail.Wrap.", nameof(options));
        }

        Count = count;
        _options = options;
    }

    /// <summary>Number of images sampled from.</summary>
    public int Count { get; }

    /// <summary>Images per batch.</summary>
    public int BatchSize => _options.BatchSize;

    /// <summary>Images delivered so far (the position of the next batch).</summary>
    public long ImagesSeen { get; private set; }

    /// <summary>Images used per epoch: Count for <see cref="BatchTail.Wrap"/>, whole batches only for <see cref="BatchTail.DropLast"/>.</summary>
    public long ImagesPerEpoch => _options.Tail == BatchTail.Wrap ? Count : (long)(Count / BatchSize) * BatchSize;

    /// <summary>The epoch the next batch starts in.</summary>
    public long Epoch => ImagesSeen / ImagesPerEpoch;

    /// <summary>Positions the sampler after <paramref name="imagesSeen"/> images (e.g. from a checkpoint).</summary>
    /// <exception cref="ArgumentException">With <see cref="BatchTail.DropLast"/>, the position is not a whole number of batches.</exception>
    public void Seek(long imagesSeen)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(imagesSeen);
        if (_options.Tail == BatchTail.DropLast && imagesSeen % BatchSize != 0)
        {
            throw new ArgumentException(
                $"With BatchTail.DropLast a position must be a whole number of batches of {BatchSize}; {imagesSeen} is not. Use BatchTail.Wrap when the batch size changes between runs.", nameof(imagesSeen));
        }

        ImagesSeen = imagesSeen;
    }

    /// <summary>Returns the next batch's dataset indices and advances <see cref="ImagesSeen"/> by <see cref="BatchSize"/>.</summary>
    public int[] Next()
    {
        var batch = new int[BatchSize];
        Next(batch);
        return batch;
    }

    /// <summary>Writes the next batch's indices into <paramref name="destination"/> (length <see cref="BatchSize"/>) and advances.</summary>
    public void Next(Span<int> destination)
    {
        if (destination.Length != BatchSize)
        {
            throw new ArgumentException($"The destination must hold exactly {BatchSize} indices; it holds {destination.Length}.", nameof(destination));
        }

        long position = ImagesSeen;
        long perEpoch = ImagesPerEpoch;
        int filled = 0;
        while (filled < destination.Length)
        {
            long epoch = position / perEpoch;
            int offset = (int)(position % perEpoch);
            int take = (int)Math.Min(destination.Length - filled, perEpoch - offset);
            EpochOrderCached(epoch).AsSpan(offset, take).CopyTo(destination[filled..]);
            filled += take;
            position += take;
        }

        ImagesSeen = position;
    }

    /// <summary>The full order of epoch <paramref name="epoch"/> (a permutation of 0 … Count − 1, or the identity without shuffling).</summary>
    public int[] EpochOrder(long epoch) => (int[])EpochOrderCached(epoch).Clone();

    /// <summary>The generator seed of epoch <paramref name="epoch"/>: SplitMix64 of the sampler seed and the epoch.</summary>
    public static ulong EpochSeed(ulong seed, long epoch) => SplitMix64(seed ^ SplitMix64(unchecked((ulong)epoch + 0x632BE59BD9B4E019UL)));

    private int[] EpochOrderCached(long epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (_orderEpoch == epoch && _order is not null)
        {
            return _order;
        }

        if (!_options.Shuffle)
        {
            _order = Enumerable.Range(0, Count).ToArray();
        }
        else
        {
            using var generator = new Generator(EpochSeed(_options.Seed, epoch));
            using Tensor permutation = Tensor.RandPerm(Count, generator);
            using Tensor asInt = permutation.To(DType.Int32);
            _order = asInt.ToArray<int>();
        }

        _orderEpoch = epoch;
        return _order;
    }

    private static ulong SplitMix64(ulong x)
    {
        unchecked
        {
            x += 0x9E3779B97F4A7C15UL;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }
    }
}
