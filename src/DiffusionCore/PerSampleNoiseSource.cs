using DiffusionCore.Torch;

namespace DiffusionCore;

/// <summary>
/// One independent random stream per image: sample k of every draw comes from its own <see cref="Generator"/> seeded
/// with <c>seeds[k]</c>, so image k from seed s is bit-identical whether generated alone or inside any batch (the
/// per-seed generators of the EDM/EDM2 reference samplers). Each draw advances every stream by one image's worth.
/// Owns its generators: dispose it when done.
/// </summary>
public sealed class PerSampleNoiseSource : INoiseSource, IDisposable
{
    private const int StackChunk = 1024;
    private readonly Generator[] _generators;
    private readonly ulong[] _seeds;

    /// <summary>Creates one stream per seed, on <paramref name="generatorDevice"/> (CPU by default).</summary>
    /// <exception cref="ArgumentException">No seed was given.</exception>
    public PerSampleNoiseSource(IReadOnlyList<ulong> seeds, Device? generatorDevice = null)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count == 0) throw new ArgumentException("Give one seed per image (at least one).", nameof(seeds));
        _seeds = seeds.ToArray();
        _generators = _seeds.Select(s => new Generator(s, generatorDevice)).ToArray();
    }

    /// <summary>Creates streams for the consecutive seeds <paramref name="firstSeed"/>, …, <paramref name="firstSeed"/>+<paramref name="count"/>−1.</summary>
    public static PerSampleNoiseSource Range(ulong firstSeed, int count, Device? generatorDevice = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new PerSampleNoiseSource(Enumerable.Range(0, count).Select(i => firstSeed + (ulong)i).ToArray(), generatorDevice);
    }

    /// <summary>The number of images (the batch size every draw must have).</summary>
    public int BatchSize => _generators.Length;

    /// <summary>The seed of each image.</summary>
    public IReadOnlyList<ulong> Seeds => _seeds;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The first dimension of <paramref name="shape"/> is not <see cref="BatchSize"/>.</exception>
    public Tensor Randn(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null)
    {
        if (shape.Length == 0 || shape[0] != _generators.Length)
        {
            throw new ArgumentException(
                $"This noise source has {_generators.Length} per-image streams but a batch of shape [{string.Join(", ", shape.ToArray())}] was requested; " +
                "the first dimension must equal the number of seeds (create the source with one seed per image in the batch).", nameof(shape));
        }

        ReadOnlySpan<long> sampleShape = shape[1..];
        long[] sample = sampleShape.ToArray();
        Device target = device ?? Device.Cpu;
        using var scope = new TensorScope();
        var chunks = new List<Tensor>();
        var current = new List<Tensor>(Math.Min(StackChunk, _generators.Length));
        foreach (Generator g in _generators)
        {
            current.Add(Tensor.Randn(sample, g, dtype, g.Device));
            if (current.Count == StackChunk)
            {
                chunks.Add(Tensor.Stack(current));
                current.Clear();
            }
        }

        if (current.Count > 0) chunks.Add(Tensor.Stack(current));
        Tensor result = chunks.Count == 1 ? chunks[0] : Tensor.Cat(chunks);
        return result.To(target).MoveToOuterScope();
    }

    /// <summary>Disposes the generators.</summary>
    public void Dispose()
    {
        foreach (Generator g in _generators) g.Dispose();
    }
}
