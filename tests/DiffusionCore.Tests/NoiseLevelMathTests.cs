using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Tests;

public class NoiseLevelMathTests
{
    [Fact]
    public void Vp_sigma_of_t_its_inverse_and_derivative_agree()
    {
        var vp = VpNoiseLevel.Default;
        foreach (double t in new[] { 1e-5, 1e-3, 0.1, 0.5, 1.0 })
        {
            double s = vp.Sigma(t);
            s.Should().BeApproximately(Math.Sqrt(Math.Exp((0.5 * 19.9 * t * t) + (0.1 * t)) - 1), 1e-12 * Math.Max(1, s));
            vp.Time(s).Should().BeApproximately(t, 1e-9 * Math.Max(t, 1e-3));
            double h = 1e-4 * t;
            double fd = (vp.Sigma(t + h) - vp.Sigma(t - h)) / (2 * h);
            vp.SigmaDerivative(t).Should().BeApproximately(fd, 1e-6 * Math.Abs(fd));
        }
    }

    [Fact]
    public void Vp_tensor_forms_match_the_scalar_forms()
    {
        using var scope = new TensorScope();
        var vp = VpNoiseLevel.Default;
        double[] ts = [1e-5, 0.01, 0.3, 0.9, 1];
        double[] sigmas = vp.Sigma(Tensor.FromArray(ts)).ToArray<double>();
        double[] back = vp.Time(Tensor.FromArray(sigmas)).ToArray<double>();
        for (int i = 0; i < ts.Length; i++)
        {
            sigmas[i].Should().BeApproximately(vp.Sigma(ts[i]), 1e-12 * Math.Max(1, sigmas[i]));
            back[i].Should().BeApproximately(ts[i], 1e-9);
        }
    }

    [Fact]
    public void Iddpm_u_table_follows_its_recursion()
    {
        var u = new IddpmUTable();
        u.Values.Should().HaveCount(1001);
        u[1000].Should().Be(0);
        static double AlphaBar(int j) => Math.Pow(Math.Sin(0.5 * Math.PI * j / (1000 * 1.008)), 2);
        for (int j = 1000; j > 0; j--)
        {
            double expected = Math.Sqrt((((u[j] * u[j]) + 1) / Math.Max(AlphaBar(j - 1) / AlphaBar(j), 0.001)) - 1);
            u[j - 1].Should().BeApproximately(expected, 1e-12 * Math.Max(1, expected));
            u[j - 1].Should().BeGreaterThan(u[j]);
        }

        u.SigmaMin.Should().Be(u[999]);
        u.SigmaMax.Should().Be(u[0]);
        u.Round(u[123] * 1.0001).Should().Be(u[123]);
    }

    [Fact]
    public void Iddpm_nearest_index_tensor_matches_scalar()
    {
        using var scope = new TensorScope();
        var u = new IddpmUTable();
        double[] sigmas = [u[3], u[500] * 0.999, u[998], 0.0];
        long[] idx = u.NearestIndex(Tensor.FromArray(sigmas)).ToArray<long>();
        idx.Should().Equal(sigmas.Select(s => (long)u.NearestIndex(s)));
        idx[0].Should().Be(3);
        idx[3].Should().Be(1000);

        // Against a brute-force argmin over the whole table.
        var rng = new Random(5);
        for (int i = 0; i < 2000; i++)
        {
            double s = Math.Exp((rng.NextDouble() * 14) - 9);
            int brute = Enumerable.Range(0, 1001).MinBy(j => Math.Abs(u[j] - s));
            u.NearestIndex(s).Should().Be(brute);
        }
    }
}
