using DiffusionCore.Torch;
using static DiffusionCore.Evaluation.Tests.Gaussians;

namespace DiffusionCore.Evaluation.Tests;

/// <summary>FD = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^{1/2}) (Heusel et al. 2017, eq. 6) against closed forms.</summary>
public class FrechetDistanceTests
{
    [Fact]
    public void Identical_statistics_give_zero()
    {
        using var scope = new TensorScope();
        Tensor mu = Randn(1, 16);
        Tensor sigma = RandomSpd(2, 16);
        FrechetDistance.Compute(mu, sigma, mu, sigma).Should().BeApproximately(0, 1e-9);
    }

    [Fact]
    public void One_dimensional_case_is_squared_mean_and_std_differences()
    {
        using var scope = new TensorScope();
        // N(1, 2²) vs N(−2, 0.5²): (1 + 2)² + (2 − 0.5)² = 9 + 2.25.
        double fd = FrechetDistance.Compute(Vector(1), Matrix(1, 4), Vector(-2), Matrix(1, 0.25));
        fd.Should().BeApproximately(11.25, 1e-12);
    }

    [Fact]
    public void Diagonal_covariances_give_sum_of_squared_std_differences()
    {
        using var scope = new TensorScope();
        double[] a = [1, 4, 9, 0.25];
        double[] b = [4, 1, 9, 2.25];
        Tensor mu1 = Vector(0, 1, 2, 3);
        Tensor mu2 = Vector(1, 1, 2, 1.5);
        // ‖Δμ‖² = 1 + 0 + 0 + 2.25; Σ(√a − √b)² = 1 + 1 + 0 + 1.
        double expected = 3.25 + 3;
        FrechetDistance.Compute(mu1, Diagonal(a), mu2, Diagonal(b)).Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Commuting_covariances_in_a_rotated_basis_match_the_eigenvalue_formula()
    {
        using var scope = new TensorScope();
        Tensor q = RandomRotation(3, 6);
        double[] a = [0.5, 1, 2, 3, 4, 10];
        double[] b = [2, 2, 0.1, 3, 9, 1];
        Tensor sigma1 = q.MatMul(Diagonal(a)).MatMul(q.Transpose(0, 1));
        Tensor sigma2 = q.MatMul(Diagonal(b)).MatMul(q.Transpose(0, 1));
        Tensor mu1 = Randn(4, 6);
        Tensor mu2 = Randn(5, 6);
        double meanTerm = (mu1 - mu2).Square().Sum().ToDouble();
        double expected = meanTerm + a.Zip(b, static (x, y) => Math.Pow(Math.Sqrt(x) - Math.Sqrt(y), 2)).Sum();
        FrechetDistance.Compute(mu1, sigma1, mu2, sigma2).Should().BeApproximately(expected, 1e-9);
    }

    [Fact]
    public void Non_commuting_two_by_two_covariances_match_the_closed_form_trace_of_the_square_root()
    {
        using var scope = new TensorScope();
        // For a 2×2 matrix M with non-negative eigenvalues, Tr √M = √(Tr M + 2√det M). M = Σ₁Σ₂ is not symmetric here.
        Tensor sigma1 = Matrix(2, 2, 0.6, 0.6, 1);
        Tensor sigma2 = Matrix(2, 1, -0.3, -0.3, 3);
        double trM = (2 * 1) + (0.6 * -0.3) + (0.6 * -0.3) + (1 * 3);
        double detM = ((2 * 1) - (0.6 * 0.6)) * ((1 * 3) - (0.3 * 0.3));
        double traceSqrt = Math.Sqrt(trM + (2 * Math.Sqrt(detM)));
        FrechetDistance.TraceOfSqrtProduct(sigma1, sigma2).Should().BeApproximately(traceSqrt, 1e-12);
        double expected = ((1 - 0.5) * (1 - 0.5)) + (2 * 2) + (2 + 1) + (1 + 3) - (2 * traceSqrt);
        FrechetDistance.Compute(Vector(1, 0), sigma1, Vector(0.5, -2), sigma2).Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Scaled_covariance_gives_one_minus_scale_squared_times_trace()
    {
        using var scope = new TensorScope();
        // Σ₂ = c²Σ₁ ⇒ (Σ₁Σ₂)^{1/2} = cΣ₁ ⇒ FD = ‖Δμ‖² + (1 − c)² Tr Σ₁.
        Tensor sigma = RandomSpd(6, 12);
        double trace = Tensor.Einsum("ii->", sigma).ToDouble();
        Tensor mu = Randn(7, 12);
        FrechetDistance.Compute(mu, sigma, mu + 0.5, sigma * 9.0).Should().BeApproximately((12 * 0.25) + (4 * trace), 1e-8);
    }

    [Fact]
    public void Rank_one_covariances_give_the_closed_form_and_stay_finite()
    {
        using var scope = new TensorScope();
        // Σ₁ = uuᵀ, Σ₂ = vvᵀ: Σ₁Σ₂ has the single non-zero eigenvalue (u·v)², so Tr(Σ₁Σ₂)^{1/2} = |u·v|.
        Tensor u = Vector(1, 2, 0, -1);
        Tensor v = Vector(0.5, -1, 3, 2);
        Tensor sigma1 = u.Unsqueeze(1).MatMul(u.Unsqueeze(0));
        Tensor sigma2 = v.Unsqueeze(1).MatMul(v.Unsqueeze(0));
        double dot = 0.5 - 2 + 0 - 2;
        double expected = 6 + 14.25 - (2 * Math.Abs(dot));
        Tensor zero = Tensor.Zeros([4], DType.Float64);
        FrechetDistance.Compute(zero, sigma1, zero, sigma2).Should().BeApproximately(expected, 1e-10);
        FrechetDistance.Compute(zero, sigma1, zero, sigma1).Should().BeApproximately(0, 1e-7);
    }

    [Fact]
    public void Covariances_from_fewer_samples_than_dimensions_give_finite_non_negative_distances()
    {
        using var scope = new TensorScope();
        // 5 samples in 64 dimensions: covariances of rank 4, eigenvalues that rounding makes slightly negative.
        using var acc1 = new FeatureStatisticsAccumulator(64);
        using var acc2 = new FeatureStatisticsAccumulator(64);
        acc1.Add(Randn(8, 5, 64));
        acc2.Add(Randn(9, 5, 64) * 2.0);
        using FeatureStatistics s1 = acc1.ToStatistics();
        using FeatureStatistics s2 = acc2.ToStatistics();
        double fd = FrechetDistance.Compute(s1, s2);
        double.IsFinite(fd).Should().BeTrue();
        fd.Should().BePositive();
        FrechetDistance.Compute(s1, s1).Should().BeInRange(0, 1e-6);
        // Exactly singular: an all-zero covariance against a rank-deficient one is Tr Σ₂ + ‖Δμ‖².
        Tensor zeros = Tensor.Zeros([64, 64], DType.Float64);
        double trace = Tensor.Einsum("ii->", s2.Covariance).ToDouble();
        double meanTerm = (s1.Mean - s2.Mean).Square().Sum().ToDouble();
        FrechetDistance.Compute(s1.Mean, zeros, s2.Mean, s2.Covariance).Should().BeApproximately(meanTerm + trace, 1e-9);
    }

    [Fact]
    public void Distance_is_symmetric_for_non_commuting_covariances()
    {
        using var scope = new TensorScope();
        Tensor mu1 = Randn(10, 32);
        Tensor mu2 = Randn(11, 32);
        Tensor sigma1 = RandomSpd(12, 32);
        Tensor sigma2 = RandomSpd(13, 32) * 0.3;
        double forward = FrechetDistance.Compute(mu1, sigma1, mu2, sigma2);
        double backward = FrechetDistance.Compute(mu2, sigma2, mu1, sigma1);
        forward.Should().BePositive();
        backward.Should().BeApproximately(forward, 1e-9 * forward);
    }

    [Fact]
    public void Float32_inputs_are_computed_in_float64()
    {
        using var scope = new TensorScope();
        double fd = FrechetDistance.Compute(Vector(1).To(DType.Float32), Matrix(1, 4).To(DType.Float32), Vector(-2).To(DType.Float32), Matrix(1, 0.25).To(DType.Float32));
        fd.Should().BeApproximately(11.25, 1e-12);
    }

    [Fact]
    public void Mismatched_shapes_are_rejected()
    {
        using var scope = new TensorScope();
        Action dims = () => FrechetDistance.Compute(Vector(0, 0), Diagonal(1, 1), Vector(0, 0, 0), Diagonal(1, 1, 1));
        dims.Should().Throw<ArgumentException>().WithMessage("*one dimension d*");
        Action notSquare = () => FrechetDistance.Compute(Vector(0, 0), Tensor.Zeros([2, 3], DType.Float64), Vector(0, 0), Diagonal(1, 1));
        notSquare.Should().Throw<ArgumentException>();
    }
}
