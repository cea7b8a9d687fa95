using DiffusionCore.Analytic;
using DiffusionCore.Torch;

namespace DiffusionCore.Sampling.Tests;

/// <summary>
/// The 2-D Gaussian mixture used by the distribution tests, a fresh reference sample of it and the data-vs-data
/// spread of the two-sample statistic, computed once per test collection on first use (so the quick tests of the
/// collection, which need only the mixture, do not pay for the reference sample).
/// </summary>
public sealed class MixtureFixture : IDisposable
{
    public const int N = 20_000;
    public const int NullReplicates = 10;
    private static readonly double[] Bandwidths = [0.25, 0.5, 1, 2];
    private readonly Lazy<(Tensor Reference, double[] NullStatistics)> _reference;

    public MixtureFixture()
    {
        Mixture = CreateMixture();
        _reference = new(DrawReference);
    }

    /// <summary>Three anisotropic components; overall std ≈ 0.9, component stds 0.3–0.45.</summary>
    public static GaussianMixture CreateMixture() => new(
        [0.5, 0.3, 0.2],
        [[-1.0, -0.5], [1.0, 0.5], [0.0, 1.5]],
        [[0.4, 0.3], [0.35, 0.45], [0.3, 0.3]]);

    public GaussianMixture Mixture { get; }

    /// <summary>A fresh sample of the mixture, float64 [N, 2].</summary>
    public Tensor Reference => _reference.Value.Reference;

    /// <summary>n·MMD² of independent data samples against <see cref="Reference"/> (the data-vs-data values).</summary>
    public double[] NullStatistics => _reference.Value.NullStatistics;

    public double NullMean => NullStatistics.Average();

    public double NullStd => Math.Sqrt(NullStatistics.Select(v => (v - NullMean) * (v - NullMean)).Sum() / (NullStatistics.Length - 1));

    /// <summary>n·MMD² (random Fourier features, bandwidths 0.25–2, fixed feature seed) of a sample against the reference.</summary>
    public double Statistic(Tensor samples) => Statistic(samples, Reference);

    public void Dispose()
    {
        if (_reference.IsValueCreated)
        {
            _reference.Value.Reference.Dispose();
        }

        Mixture.Dispose();
    }

    private static double Statistic(Tensor samples, Tensor reference)
    {
        using var features = new Generator(77);
        return TwoSampleStatistics.RandomFeatureMmd(samples, reference, Bandwidths, 2048, features) * samples.Size(0);
    }

    private (Tensor Reference, double[] NullStatistics) DrawReference()
    {
        using var g = new Generator(20240601);
        using var scope = new TensorScope();
        Tensor reference = Mixture.Sample(N, g).Samples.DetachFromScope();
        double[] nullStatistics = Enumerable.Range(0, NullReplicates).Select(_ =>
        {
            using var s = new TensorScope();
            return Statistic(Mixture.Sample(N, g).Samples, reference);
        }).ToArray();
        return (reference, nullStatistics);
    }
}

[CollectionDefinition(Name)]
public sealed class MixtureTestGroup : ICollectionFixture<MixtureFixture>
{
    public const string Name = "Gaussian mixture";
}
