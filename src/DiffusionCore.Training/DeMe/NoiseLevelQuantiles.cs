using DiffusionCore.NoiseLevels;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.DeMe;

/// <summary>Quantile functions of the library's continuous training distributions of σ (<see cref="INoiseLevelQuantile"/>).</summary>
public static class NoiseLevelQuantiles
{
    /// <summary>The smallest and largest probabilities mapped: u is clamped to [ε, 1 − ε] so σ stays finite and positive.</summary>
    public const double Epsilon = 1e-12;

    private const int NewtonSteps = 4;

    /// <summary>The quantile function of <paramref name="noiseLevels"/>.</summary>
    /// <param name="noiseLevels">Log-normal (EDM/EDM2) or VE log-uniform.</param>
    /// <exception cref="ArgumentException">Another distribution: implement <see cref="INoiseLevelQuantile"/> for it and pass it.</exception>
    public static INoiseLevelQuantile For(INoiseLevelDistribution noiseLevels)
    {
        ArgumentNullException.ThrowIfNull(noiseLevels);
        return noiseLevels switch
        {
            LogNormalNoiseLevels n => new LogNormal(n.PMean, n.PStd),
            VeLogUniformNoiseLevels v => new LogUniform(v.SigmaMin, v.SigmaMax),
            _ => throw new ArgumentException(
                $"No built-in quantile function for {noiseLevels.GetType().Name}: implement INoiseLevelQuantile for it and pass it to RangeRestrictedLoss.",
                nameof(noiseLevels)),
        };
    }

    /// <summary>
    /// The standard normal quantile Φ⁻¹(u) in float64: the rational first guess of Abramowitz &amp; Stegun 26.2.23
    /// (error below 4.5e-4) refined by Newton steps on <c>Φ(z) = ½(1 + erf(z/√2))</c>; accurate to about 1e-12 in the
    /// bulk and 1e-5 in the far tails (u near 1e-12, where 1 + erf cancels).
    /// </summary>
    /// <param name="u">Probabilities (clamped to [<see cref="Epsilon"/>, 1 − <see cref="Epsilon"/>]).</param>
    public static Tensor StandardNormal(Tensor u)
    {
        ArgumentNullException.ThrowIfNull(u);
        using var scope = new TensorScope();
        Tensor p = u.To(DType.Float64).Clamp(Epsilon, 1 - Epsilon);
        Tensor t = (p.Minimum(p.RSub(1.0)).Log() * -2.0).Sqrt();
        Tensor numerator = ((t * 0.010328) + 0.802853) * t + 2.515517;
        Tensor denominator = ((((t * 0.001308) + 0.189269) * t) + 1.432788) * t + 1.0;
        Tensor z = (t - (numerator / denominator)) * (p - 0.5).Sign();
        for (int i = 0; i < NewtonSteps; i++)
        {
            Tensor cdf = ((z / Math.Sqrt(2)).Erf() + 1) * 0.5;
            Tensor pdf = (z.Square() * -0.5).Exp() / Math.Sqrt(2 * Math.PI);
            z = z - ((cdf - p) / pdf.Clamp(1e-300)).Clamp(-1.0, 1.0);
        }

        return z.MoveToOuterScope();
    }

    /// <summary><c>σ = exp(P_mean + P_std·Φ⁻¹(u))</c>.</summary>
    private sealed class LogNormal(double pMean, double pStd) : INoiseLevelQuantile
    {
        public Tensor Quantile(Tensor u)
        {
            using var scope = new TensorScope();
            return ((StandardNormal(u) * pStd) + pMean).Exp().MoveToOuterScope();
        }
    }

    /// <summary><c>σ = σ_min·(σ_max/σ_min)^u</c>.</summary>
    private sealed class LogUniform(double sigmaMin, double sigmaMax) : INoiseLevelQuantile
    {
        public Tensor Quantile(Tensor u)
        {
            ArgumentNullException.ThrowIfNull(u);
            using var scope = new TensorScope();
            return ((u.To(DType.Float64).Clamp(0.0, 1.0) * Math.Log(sigmaMax / sigmaMin)).Exp() * sigmaMin).MoveToOuterScope();
        }
    }
}
