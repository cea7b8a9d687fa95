using DiffusionCore.Torch;

namespace DiffusionCore.Analytic;

/// <summary>
/// Two-sample statistics for checking that generated samples follow a reference distribution (used with the
/// analytic oracles). Computed in float64 tensor ops, in row chunks so memory stays bounded.
/// </summary>
public static class TwoSampleStatistics
{
    /// <summary>
    /// The energy distance <c>2·E‖X−Y‖ − E‖X−X'‖ − E‖Y−Y'‖</c> (Székely and Rizzo 2013, Eq. 2), with unbiased
    /// within-sample means (pairs i ≠ j). Zero in expectation when both samples come from the same distribution.
    /// Exact but quadratic in the sample sizes: use it up to a few thousand samples and <see cref="RandomFeatureMmd"/> beyond.
    /// </summary>
    /// <param name="x">Samples <c>[n, D]</c>.</param>
    /// <param name="y">Samples <c>[m, D]</c>.</param>
    /// <param name="chunkRows">Rows of x processed at once (memory ∝ chunkRows·m).</param>
    public static double EnergyDistance(Tensor x, Tensor y, int chunkRows = 1024)
    {
        Check(x, y, chunkRows);
        double xy = PairwiseMeanDistance(x, y, chunkRows, excludeDiagonal: false);
        double xx = PairwiseMeanDistance(x, x, chunkRows, excludeDiagonal: true);
        double yy = PairwiseMeanDistance(y, y, chunkRows, excludeDiagonal: true);
        return (2 * xy) - xx - yy;
    }

    /// <summary>
    /// The unbiased squared maximum mean discrepancy (Gretton et al. 2012, Eq. 3) for the random-Fourier-feature kernel
    /// <c>k(a, b) = φ(a)·φ(b)</c>, <c>φ(a) = √(2/F)·cos(Ω·a + β)</c>, which approximates a mixture of Gaussian kernels
    /// <c>exp(−‖a−b‖²/(2h²))</c> over <paramref name="bandwidths"/> (Rahimi and Recht 2007). Linear time in the sample
    /// sizes, so it suits 10⁴–10⁶ samples; zero in expectation when both samples come from the same distribution.
    /// </summary>
    /// <param name="x">Samples <c>[n, D]</c>.</param>
    /// <param name="y">Samples <c>[m, D]</c>.</param>
    /// <param name="bandwidths">Kernel bandwidths h (features are split evenly between them).</param>
    /// <param name="features">F, the number of random features (≥ the number of bandwidths).</param>
    /// <param name="generator">Draws the frequencies Ω and phases β; reuse the same seed to compare several samples.</param>
    public static double RandomFeatureMmd(Tensor x, Tensor y, IReadOnlyList<double> bandwidths, int features, Generator generator)
    {
        Check(x, y, 1);
        ArgumentNullException.ThrowIfNull(bandwidths);
        ArgumentNullException.ThrowIfNull(generator);
        if (bandwidths.Count == 0 || bandwidths.Any(h => !(h > 0))) throw new ArgumentException("Give at least one positive bandwidth.", nameof(bandwidths));
        if (features < bandwidths.Count) throw new ArgumentOutOfRangeException(nameof(features), features, "Use at least one feature per bandwidth.");
        using var scope = new TensorScope();
        long d = x.Size(1);
        int per = features / bandwidths.Count;
        var omegas = new List<Tensor>();
        foreach (double h in bandwidths)
        {
            omegas.Add(Tensor.Randn([d, per], generator, DType.Float64) / h);
        }

        Tensor omega = Tensor.Cat(omegas, 1).To(x.Device);                       // [D, F]
        Tensor phase = (Tensor.Rand([omega.Size(1)], generator, DType.Float64) * (2 * Math.PI)).To(x.Device);
        double scale = Math.Sqrt(2.0 / omega.Size(1));
        (Tensor sumX, double diagX) = FeatureSums(x, omega, phase, scale);
        (Tensor sumY, double diagY) = FeatureSums(y, omega, phase, scale);
        double n = x.Size(0), m = y.Size(0);
        double sxx = (sumX.Square().Sum().ToDouble() - diagX) / (n * (n - 1));
        double syy = (sumY.Square().Sum().ToDouble() - diagY) / (m * (m - 1));
        double sxy = (sumX * sumY).Sum().ToDouble() / (n * m);
        return sxx + syy - (2 * sxy);
    }

    /// <summary>Σ_i φ(a_i) and Σ_i ‖φ(a_i)‖², in row chunks so the [rows, F] features stay small.</summary>
    private static (Tensor Sum, double SquaredNorms) FeatureSums(Tensor a, Tensor omega, Tensor phase, double scale)
    {
        const int chunk = 4096;
        Tensor sum = Tensor.Zeros([omega.Size(1)], DType.Float64, a.Device);
        double squared = 0;
        long n = a.Size(0);
        for (long start = 0; start < n; start += chunk)
        {
            using var chunkScope = new TensorScope();
            Tensor phi = (a.Narrow(0, start, Math.Min(chunk, n - start)).To(DType.Float64).MatMul(omega) + phase).Cos() * scale;
            sum.AddInPlace(phi.Sum([0L]));
            squared += phi.Square().Sum().ToDouble();
        }

        return (sum, squared);
    }

    private static void Check(Tensor x, Tensor y, int chunkRows)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        if (x.Dim != 2 || y.Dim != 2 || x.Size(1) != y.Size(1))
        {
            throw new ArgumentException($"Both samples must be [n, D] with the same D; got {x} and {y}.", nameof(y));
        }

        if (x.Size(0) < 2 || y.Size(0) < 2) throw new ArgumentException("Each sample needs at least two rows.", nameof(x));
    }

    private static double PairwiseMeanDistance(Tensor a, Tensor b, int chunkRows, bool excludeDiagonal)
    {
        using var scope = new TensorScope();
        Tensor a64 = a.To(DType.Float64);
        Tensor b64 = b.To(DType.Float64);
        Tensor bNorm = b64.Square().Sum([1L]).Unsqueeze(0);    // [1, m]
        Tensor bT = b64.Transpose(0, 1);
        long n = a64.Size(0);
        long m = b64.Size(0);
        double total = 0;
        for (long start = 0; start < n; start += chunkRows)
        {
            using var chunkScope = new TensorScope();
            long len = Math.Min(chunkRows, n - start);
            Tensor rows = a64.Narrow(0, start, len);
            Tensor d2 = (rows.Square().Sum([1L]).Unsqueeze(1) + bNorm - (rows.MatMul(bT) * 2)).Clamp(min: 0);
            total += d2.Sqrt().Sum().ToDouble();
        }

        // The diagonal (‖a_i − a_i‖ = 0) adds nothing, so excluding it only changes the normaliser.
        return excludeDiagonal ? total / ((double)n * (n - 1)) : total / ((double)n * m);
    }
}
