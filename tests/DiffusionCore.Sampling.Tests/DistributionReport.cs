using DiffusionCore.Analytic;
using DiffusionCore.Torch;
using Xunit.Abstractions;

namespace DiffusionCore.Sampling.Tests;

/// <summary>Sampling-error z-scores of generated samples against the mixture's closed-form moments and weights.</summary>
internal sealed record DistributionReport(double[] MeanZ, double[] CovarianceZ, double[] CovarianceRelativeError, double[] WeightZ, double Statistic, double NullMean, double NullStd, double NullMax)
{
    public static DistributionReport Measure(Tensor samples, MixtureFixture fixture)
    {
        using var scope = new TensorScope();
        GaussianMixture m = fixture.Mixture;
        Tensor x = samples.To(DType.Float64);
        long n = x.Size(0);
        double[] trueMean = m.Mean();
        double[][] trueCov = m.Covariance();
        double[] mean = x.Mean([0L]).ToArray<double>();
        double[] std = x.Std([0L]).ToArray<double>();
        double[] meanZ = [.. Enumerable.Range(0, 2).Select(j => (mean[j] - trueMean[j]) / (std[j] / Math.Sqrt(n)))];
        Tensor centred = x - Tensor.FromArray(trueMean).Unsqueeze(0);
        var covZ = new List<double>();
        var covRel = new List<double>();
        for (int i = 0; i < 2; i++)
        {
            for (int j = i; j < 2; j++)
            {
                Tensor prod = centred.Select(1, i) * centred.Select(1, j);
                double c = prod.Mean().ToDouble();
                covZ.Add((c - trueCov[i][j]) / (prod.Std().ToDouble() / Math.Sqrt(n)));
                covRel.Add((c - trueCov[i][j]) / Math.Sqrt(trueCov[i][i] * trueCov[j][j]));
            }
        }

        // E[r_k(y; σ=0)] = w_k exactly under the data distribution.
        Tensor r = m.Responsibilities(x, Tensor.Zeros([n], DType.Float64));
        double[] rMean = r.Mean([0L]).ToArray<double>();
        double[] rStd = r.Std([0L]).ToArray<double>();
        double[] weightZ = [.. Enumerable.Range(0, m.Components).Select(k => (rMean[k] - m.Weights[k]) / (rStd[k] / Math.Sqrt(n)))];
        return new DistributionReport(meanZ, [.. covZ], [.. covRel], weightZ, fixture.Statistic(x), fixture.NullMean, fixture.NullStd, fixture.NullStatistics.Max());
    }

    public void Print(ITestOutputHelper output, string label) => output.WriteLine(
        $"{label}: mean z [{Fmt(MeanZ)}], cov z [{Fmt(CovarianceZ)}] (rel. err [{Fmt(CovarianceRelativeError, "P2")}]), weight z [{Fmt(WeightZ)}], " +
        $"n·MMD² {Statistic:F3} vs data-vs-data {NullMean:F3} ± {NullStd:F3} (max {NullMax:F3})");

    public void ShouldMatchMeanAndWeights()
    {
        MeanZ.Should().OnlyContain(z => Math.Abs(z) <= 4, "the mean must lie within 4 standard errors");
        WeightZ.Should().OnlyContain(z => Math.Abs(z) <= 4, "the mixture weights must lie within 4 standard errors");
    }

    public void ShouldMatchEverything()
    {
        ShouldMatchMeanAndWeights();
        CovarianceZ.Should().OnlyContain(z => Math.Abs(z) <= 4, "the covariance must lie within 4 standard errors");
        Statistic.Should().BeLessThanOrEqualTo(NullMean + (4 * NullStd), "the two-sample statistic must lie within the spread of data-vs-data values");
    }

    private static string Fmt(double[] v, string format = "F2") => string.Join(", ", v.Select(z => z.ToString(format, System.Globalization.CultureInfo.InvariantCulture)));
}
