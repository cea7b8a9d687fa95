using DiffusionCore.Torch;

namespace DiffusionCore.Tests;

public class NoiseSourceTests
{
    [Fact]
    public void Image_k_is_bit_identical_alone_or_in_any_batch()
    {
        using var scope = new TensorScope();
        ulong[] seeds = [11, 42, 7, 1000, 3];
        using var batch = new PerSampleNoiseSource(seeds);
        float[] all = batch.Randn([5, 3, 4, 4]).ToArray<float>();
        float[] allSecondDraw = batch.Randn([5, 3, 4, 4]).ToArray<float>();
        for (int k = 0; k < seeds.Length; k++)
        {
            using var alone = new PerSampleNoiseSource([seeds[k]]);
            alone.Randn([1, 3, 4, 4]).ToArray<float>().Should().Equal(all.Skip(k * 48).Take(48));
            alone.Randn([1, 3, 4, 4]).ToArray<float>().Should().Equal(allSecondDraw.Skip(k * 48).Take(48), "streams continue independently");
        }

        using var reordered = new PerSampleNoiseSource([3, 11]);
        float[] r = reordered.Randn([2, 3, 4, 4]).ToArray<float>();
        r.Take(48).Should().Equal(all.Skip(4 * 48).Take(48));
        r.Skip(48).Should().Equal(all.Take(48));
    }

    [Fact]
    public void Large_batches_are_stacked_in_chunks()
    {
        using var scope = new TensorScope();
        using var src = PerSampleNoiseSource.Range(0, 2500);
        Tensor n = src.Randn([2500, 2], DType.Float64);
        n.Shape.Should().Equal(2500, 2);
        using var one = new PerSampleNoiseSource([2400]);
        one.Randn([1, 2], DType.Float64).ToArray<double>().Should().Equal(n[2400].ToArray<double>());
    }

    [Fact]
    public void Batch_size_mismatch_names_the_fix()
    {
        using var scope = new TensorScope();
        using var src = new PerSampleNoiseSource([1, 2]);
        FluentActions.Invoking(() => src.Randn([3, 2])).Should().Throw<ArgumentException>().WithMessage("*2 per-image streams*one seed per image*");
        FluentActions.Invoking(() => new PerSampleNoiseSource([])).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Generator_source_is_reproducible()
    {
        using var scope = new TensorScope();
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        new GeneratorNoiseSource(g1).Randn([4, 3]).ToArray<float>().Should().Equal(new GeneratorNoiseSource(g2).Randn([4, 3]).ToArray<float>());
    }
}
