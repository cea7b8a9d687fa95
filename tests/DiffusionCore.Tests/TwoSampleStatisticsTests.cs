using DiffusionCore.Analytic;
using DiffusionCore.Torch;

namespace DiffusionCore.Tests;

public class TwoSampleStatisticsTests
{
    [Fact]
    public void Energy_distance_matches_a_brute_force_sum()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        Tensor x = Tensor.Randn([40, 3], g, DType.Float64);
        Tensor y = Tensor.Randn([30, 3], g, DType.Float64) + 0.5;
        double[] xs = x.ToArray<double>(), ys = y.ToArray<double>();
        static double Dist(double[] a, int i, double[] b, int j) =>
            Math.Sqrt(Enumerable.Range(0, 3).Sum(k => Math.Pow(a[(3 * i) + k] - b[(3 * j) + k], 2)));
        double xy = 0, xx = 0, yy = 0;
        for (int i = 0; i < 40; i++) for (int j = 0; j < 30; j++) xy += Dist(xs, i, ys, j);
        for (int i = 0; i < 40; i++) for (int j = 0; j < 40; j++) if (i != j) xx += Dist(xs, i, xs, j);
        for (int i = 0; i < 30; i++) for (int j = 0; j < 30; j++) if (i != j) yy += Dist(ys, i, ys, j);
        double expected = (2 * xy / 1200) - (xx / (40 * 39)) - (yy / (30 * 29));
        TwoSampleStatistics.EnergyDistance(x, y, chunkRows: 7).Should().BeApproximately(expected, 1e-9);
    }

    [Fact]
    public void Random_feature_mmd_separates_shifted_samples_and_centres_on_zero()
    {
        using var scope = new TensorScope();
        using var g = new Generator(2);
        Tensor a = Tensor.Randn([5000, 2], g, DType.Float64);
        Tensor b = Tensor.Randn([5000, 2], g, DType.Float64);
        Tensor c = Tensor.Randn([5000, 2], g, DType.Float64) + 0.2;
        using var f1 = new Generator(3);
        double same = TwoSampleStatistics.RandomFeatureMmd(a, b, [0.5, 1, 2], 1024, f1);
        using var f2 = new Generator(3);
        double shifted = TwoSampleStatistics.RandomFeatureMmd(a, c, [0.5, 1, 2], 1024, f2);
        Math.Abs(same).Should().BeLessThan(2e-3);
        shifted.Should().BeGreaterThan(10 * Math.Abs(same));
    }
}
