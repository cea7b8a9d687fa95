using DiffusionCore.Data;
using DiffusionCore.Torch;

namespace DiffusionCore.Training;

/// <summary>
/// Shuffles the dataset once per epoch with a permutation drawn from a generator seeded by (run seed, epoch), and
/// reads it at position <c>imagesSeen mod N</c>; batches run across epoch boundaries. The default
/// <see cref="IBatchSampler"/> of <see cref="DiffusionTrainer"/>.
/// </summary>
public sealed class SeededPermutationSampler : IBatchSampler
{
    private long _epoch = -1;
    private int[] _permutation = [];

    /// <summary>Creates it for a dataset of <paramref name="count"/> images.</summary>
    public SeededPermutationSampler(int count, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Count = count;
        Seed = seed;
    }

    /// <summary>The dataset size.</summary>
    public int Count { get; }

    /// <summary>The run seed.</summary>
    public long Seed { get; }

    /// <inheritdoc />
    public void Fill(long imagesSeen, Span<int> indices)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(imagesSeen);
        for (int i = 0; i < indices.Length; i++)
        {
            long n = imagesSeen + i;
            long epoch = n / Count;
            if (epoch != _epoch)
            {
                _permutation = Permutation(epoch);
                _epoch = epoch;
            }

            indices[i] = _permutation[n % Count];
        }
    }

    private int[] Permutation(long epoch)
    {
        using var scope = new TensorScope();
        using var generator = new Generator(StepSeeds.Derive(Seed, epoch, StepStream.DataOrder));
        long[] p = Tensor.RandPerm(Count, generator).To(DType.Int64).ToArray<long>();
        return Array.ConvertAll(p, static v => (int)v);
    }
}
