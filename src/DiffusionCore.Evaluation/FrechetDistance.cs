using DiffusionCore.Torch;

namespace DiffusionCore.Evaluation;

/// <summary>
/// The Fréchet distance between two Gaussians fitted to feature sets (Heusel et al. 2017, "GANs Trained by a Two
/// Time-Scale Update Rule Converge to a Local Nash Equilibrium", eq. 6; Dowson &amp; Landau 1982):
/// FD = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^{1/2}), the squared 2-Wasserstein distance of N(μ₁, Σ₁) and N(μ₂, Σ₂).
/// </summary>
/// <remarks>
/// Everything runs in float64 in libtorch. The trace of the matrix square root is computed from two symmetric
/// eigendecompositions instead of a general (non-symmetric) square root: Σ₁Σ₂ and Σ₁^{1/2}Σ₂Σ₁^{1/2} have the same
/// non-zero eigenvalues (AB and BA with A = Σ₁^{1/2}, B = Σ₁^{1/2}Σ₂), and the latter is symmetric positive
/// semi-definite, so Tr((Σ₁Σ₂)^{1/2}) = Σᵢ √λᵢ(Σ₁^{1/2}Σ₂Σ₁^{1/2}). Eigenvalues below the rounding level
/// d·ε·max|λ| (including those rounding pushes below zero) are set to 0 in both steps, so singular and near-singular covariances (fewer samples than dimensions, dead
/// features) give a finite, non-negative result without the ε·I offset pytorch-fid needs for its scipy sqrtm.
/// A final value below zero can only be rounding and is returned as 0.
/// </remarks>
public static class FrechetDistance
{
    /// <summary>The float64 unit roundoff 2⁻⁵².</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>The Fréchet distance between two feature-set summaries (Heusel et al. 2017, eq. 6).</summary>
    /// <exception cref="ArgumentException">The two summaries have different feature dimensions.</exception>
    public static double Compute(FeatureStatistics first, FeatureStatistics second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return Compute(first.Mean, first.Covariance, second.Mean, second.Covariance);
    }

    /// <summary>
    /// The Fréchet distance ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^{1/2}) between N(μ₁, Σ₁) and N(μ₂, Σ₂)
    /// (Heusel et al. 2017, eq. 6). Inputs of any floating dtype are converted to float64.
    /// </summary>
    /// <param name="mean1">μ₁ [d].</param>
    /// <param name="covariance1">Σ₁ [d, d], symmetric positive semi-definite.</param>
    /// <param name="mean2">μ₂ [d].</param>
    /// <param name="covariance2">Σ₂ [d, d], symmetric positive semi-definite.</param>
    /// <exception cref="ArgumentException">The shapes are not [d] and [d, d] with one common d.</exception>
    public static double Compute(Tensor mean1, Tensor covariance1, Tensor mean2, Tensor covariance2)
    {
        ArgumentNullException.ThrowIfNull(mean1);
        ArgumentNullException.ThrowIfNull(covariance1);
        ArgumentNullException.ThrowIfNull(mean2);
        ArgumentNullException.ThrowIfNull(covariance2);
        long d = mean1.Dim == 1 ? mean1.Size(0) : -1;
        if (d < 1 || !IsVector(mean2, d) || !IsSquare(covariance1, d) || !IsSquare(covariance2, d))
        {
            throw new ArgumentException(
                "The Fréchet distance needs means [d] and covariances [d, d] of one dimension d; got " +
                $"μ₁ [{string.Join(", ", mean1.Shape)}], Σ₁ [{string.Join(", ", covariance1.Shape)}], " +
                $"μ₂ [{string.Join(", ", mean2.Shape)}], Σ₂ [{string.Join(", ", covariance2.Shape)}].");
        }

        using var scope = new TensorScope();
        using var noGrad = new NoGradScope();
        Tensor mu1 = mean1.To(DType.Float64);
        Tensor mu2 = mean2.To(DType.Float64);
        Tensor sigma1 = covariance1.To(DType.Float64);
        Tensor sigma2 = covariance2.To(DType.Float64);
        double meanTerm = (mu1 - mu2).Square().Sum().ToDouble();
        double traces = Trace(sigma1) + Trace(sigma2);
        double fd = meanTerm + traces - (2 * TraceOfSqrtProduct(sigma1, sigma2));
        return Math.Max(fd, 0);
    }

    /// <summary>
    /// Tr((Σ₁Σ₂)^{1/2}) for symmetric positive semi-definite Σ₁, Σ₂, computed as Σᵢ √λᵢ(Σ₁^{1/2}Σ₂Σ₁^{1/2}) with
    /// eigenvalues below the rounding level d·ε·max|λ| set to 0 (the cross term of Heusel et al. 2017, eq. 6).
    /// </summary>
    /// <exception cref="ArgumentException">The matrices are not square of one size.</exception>
    public static double TraceOfSqrtProduct(Tensor covariance1, Tensor covariance2)
    {
        ArgumentNullException.ThrowIfNull(covariance1);
        ArgumentNullException.ThrowIfNull(covariance2);
        long d = covariance1.Dim == 2 ? covariance1.Size(0) : -1;
        if (d < 1 || !IsSquare(covariance1, d) || !IsSquare(covariance2, d))
        {
            throw new ArgumentException(
                $"Expected two square matrices of one size; got [{string.Join(", ", covariance1.Shape)}] and [{string.Join(", ", covariance2.Shape)}].");
        }

        using var scope = new TensorScope();
        using var noGrad = new NoGradScope();
        Tensor sigma1 = Symmetrise(covariance1.To(DType.Float64));
        Tensor sigma2 = Symmetrise(covariance2.To(DType.Float64));
        Tensor sqrt1 = SqrtPsd(sigma1);
        Tensor inner = Symmetrise(sqrt1.MatMul(sigma2).MatMul(sqrt1));
        return ClampNoise(inner.EigenSymmetric().Values).Sqrt().Sum().ToDouble();
    }

    /// <summary>The PSD square root V·diag(√λ⁺)·Vᵀ of a symmetric matrix (λ⁺: see <see cref="ClampNoise"/>).</summary>
    private static Tensor SqrtPsd(Tensor symmetric)
    {
        (Tensor values, Tensor vectors) = symmetric.EigenSymmetric();
        Tensor roots = ClampNoise(values).Sqrt();
        return (vectors * roots.Unsqueeze(0)).MatMul(vectors.Transpose(0, 1));
    }

    /// <summary>
    /// Sets eigenvalues below the rounding level d·ε·max|λ| (the rank tolerance of numpy.linalg.matrix_rank) to 0:
    /// a zero eigenvalue computed as ±1e-16 would otherwise contribute √1e-16 = 1e-8 to the trace of a square root.
    /// </summary>
    private static Tensor ClampNoise(Tensor values)
    {
        double tolerance = values.Size(0) * MachineEpsilon * values.Abs().Max().ToDouble();
        return values.MaskedFill(values.Le(tolerance), 0);
    }

    private static Tensor Symmetrise(Tensor m) => (m + m.Transpose(0, 1)) * 0.5;

    private static double Trace(Tensor m) => Tensor.Einsum("ii->", m).ToDouble();

    private static bool IsVector(Tensor t, long d) => t.Dim == 1 && t.Size(0) == d;

    private static bool IsSquare(Tensor t, long d) => t.Dim == 2 && t.Size(0) == d && t.Size(1) == d;
}
