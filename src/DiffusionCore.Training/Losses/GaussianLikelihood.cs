using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>
/// Gaussian KL divergence and the discretised Gaussian log-likelihood of 8-bit data (Ho et al. 2020, Eq. 13;
/// Nichol &amp; Dhariwal 2021, Section 3), element-wise in nats.
/// </summary>
public static class GaussianLikelihood
{
    /// <summary>KL(N(μ₁, e^{lv₁}) ‖ N(μ₂, e^{lv₂})) = ½(−1 + lv₂ − lv₁ + e^{lv₁−lv₂} + (μ₁ − μ₂)²·e^{−lv₂}), element-wise, in nats.</summary>
    public static Tensor NormalKl(Tensor mean1, Tensor logVar1, Tensor mean2, Tensor logVar2)
    {
        ArgumentNullException.ThrowIfNull(mean1);
        ArgumentNullException.ThrowIfNull(logVar1);
        ArgumentNullException.ThrowIfNull(mean2);
        ArgumentNullException.ThrowIfNull(logVar2);
        using var scope = new TensorScope();
        Tensor kl = (logVar2 - logVar1 + (logVar1 - logVar2).Exp() + ((mean1 - mean2).Square() * logVar2.Neg().Exp()) - 1.0) * 0.5;
        return kl.MoveToOuterScope();
    }

    /// <summary>
    /// The standard normal CDF by the tanh approximation <c>½(1 + tanh(√(2/π)(x + 0.044715x³)))</c> used by the
    /// reference implementations.
    /// </summary>
    public static Tensor ApproxStandardNormalCdf(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = new TensorScope();
        Tensor inner = (x + (x.Pow(3.0) * 0.044715)) * Math.Sqrt(2.0 / Math.PI);
        return ((inner.Tanh() + 1.0) * 0.5).MoveToOuterScope();
    }

    /// <summary>
    /// log P(x) of data in [−1, 1] quantised to 256 levels (bin width 2/255) under N(μ, e^{2·logScale}): the CDF
    /// difference over the bin, with the outermost bins extended to ±∞ (Ho et al. 2020, Eq. 13); element-wise, in nats.
    /// </summary>
    public static Tensor DiscretizedLogLikelihood(Tensor x, Tensor means, Tensor logScales)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(logScales);
        using var scope = new TensorScope();
        Tensor centered = x - means;
        Tensor invStd = logScales.Neg().Exp();
        Tensor cdfPlus = ApproxStandardNormalCdf(invStd * (centered + (1.0 / 255.0)));
        Tensor cdfMin = ApproxStandardNormalCdf(invStd * (centered - (1.0 / 255.0)));
        Tensor logCdfPlus = cdfPlus.Clamp(min: 1e-12).Log();
        Tensor logOneMinusCdfMin = cdfMin.RSub(1.0).Clamp(min: 1e-12).Log();
        Tensor logCdfDelta = (cdfPlus - cdfMin).Clamp(min: 1e-12).Log();
        Tensor logProbs = Tensor.Where(x.Lt(-0.999), logCdfPlus, Tensor.Where(x.Gt(0.999), logOneMinusCdfMin, logCdfDelta));
        return logProbs.MoveToOuterScope();
    }
}
