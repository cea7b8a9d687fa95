using DiffusionCore.Torch;
using static DiffusionCore.Evaluation.Tests.Gaussians;

namespace DiffusionCore.Evaluation.Tests;

/// <summary>Streaming float64 mean/covariance (Chan et al. 1979 merge) against the one-shot computation.</summary>
public class FeatureStatisticsAccumulatorTests
{
    [Fact]
    public void Batches_of_any_size_give_the_one_shot_mean_and_unbiased_covariance()
    {
        using var scope = new TensorScope();
        Tensor x = (Randn(21, 1000, 8) * 3.0) + 5.0;
        Tensor mean = x.Mean([0]);
        Tensor centred = x - mean;
        Tensor covariance = centred.Transpose(0, 1).MatMul(centred) / 999.0;

        using var acc = new FeatureStatisticsAccumulator(8);
        foreach (long[] cut in new[] { new long[] { 0, 1 }, [1, 7], [8, 500], [508, 0], [508, 492] })
        {
            acc.Add(x.Narrow(0, cut[0], cut[1]));
        }

        acc.Count.Should().Be(1000);
        using FeatureStatistics stats = acc.ToStatistics();
        stats.Count.Should().Be(1000);
        stats.Dimension.Should().Be(8);
        stats.Mean.DType.Should().Be(DType.Float64);
        (stats.Mean - mean).Abs().Max().ToDouble().Should().BeLessThan(1e-12);
        (stats.Covariance - covariance).Abs().Max().ToDouble().Should().BeLessThan(1e-11);
        (stats.Covariance - stats.Covariance.Transpose(0, 1)).Abs().Max().ToDouble().Should().Be(0);
    }

    [Fact]
    public void A_large_offset_does_not_cancel_the_covariance()
    {
        using var scope = new TensorScope();
        // Σxxᵀ/n − μμᵀ would lose every digit at an offset of 1e8; the centred merge keeps them.
        Tensor x = Randn(22, 400, 3) + 1e8;
        using var acc = new FeatureStatisticsAccumulator(3);
        for (int i = 0; i < 400; i += 50)
        {
            acc.Add(x.Narrow(0, i, 50));
        }

        using FeatureStatistics stats = acc.ToStatistics();
        Tensor centred = x - x.Mean([0]);
        Tensor expected = centred.Transpose(0, 1).MatMul(centred) / 399.0;
        (stats.Covariance - expected).Abs().Max().ToDouble().Should().BeLessThan(1e-6);
    }

    [Fact]
    public void Statistics_round_trip_through_a_safetensors_file()
    {
        using var scope = new TensorScope();
        string path = Path.Combine(Path.GetTempPath(), $"dc-stats-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var acc = new FeatureStatisticsAccumulator(4);
            acc.Add(Randn(23, 10, 4));
            using FeatureStatistics stats = acc.ToStatistics();
            stats.Save(path, new Dictionary<string, string> { ["note"] = "x" });
            (FeatureStatistics loaded, IReadOnlyDictionary<string, string> metadata) = FeatureStatistics.Load(path);
            using (loaded)
            {
                metadata["note"].Should().Be("x");
                loaded.Count.Should().Be(10);
                (loaded.Mean - stats.Mean).Abs().Max().ToDouble().Should().Be(0);
                (loaded.Covariance - stats.Covariance).Abs().Max().ToDouble().Should().Be(0);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Bad_input_is_rejected_with_clear_messages()
    {
        using var scope = new TensorScope();
        using var acc = new FeatureStatisticsAccumulator(4);
        Action wrongShape = () => acc.Add(Tensor.Zeros([3, 5], DType.Float64));
        wrongShape.Should().Throw<ArgumentException>().WithMessage("*[N, 4]*");
        Action nan = () => acc.Add(Tensor.Full([2, 4], double.NaN, DType.Float64));
        nan.Should().Throw<ArgumentException>().WithMessage("*NaN*");
        acc.Add(Tensor.Zeros([1, 4], DType.Float64));
        Action tooFew = () => acc.ToStatistics();
        tooFew.Should().Throw<InvalidOperationException>().WithMessage("*at least 2*");
        Action zeroDim = () => _ = new FeatureStatisticsAccumulator(0);
        zeroDim.Should().Throw<ArgumentOutOfRangeException>();
    }
}
