using DiffusionCore.Torch;

namespace DiffusionCore.Schedules;

/// <summary>
/// The variance-preserving noise level of Song et al. 2021 as written by Karras et al. 2022 (Table 1, "VP"):
/// <c>σ(t) = √(exp(½β_d·t² + β_min·t) − 1)</c>, its derivative and its inverse
/// <c>t(σ) = (√(β_min² + 2β_d·ln(1+σ²)) − β_min)/β_d</c>.
/// </summary>
/// <param name="BetaD">β_d, the slope of the linear β(t) (19.9).</param>
/// <param name="BetaMin">β_min, the value of β at t = 0 (0.1).</param>
public sealed record VpNoiseLevel(double BetaD = 19.9, double BetaMin = 0.1)
{
    /// <summary>The constants of the EDM paper: β_d = 19.9, β_min = 0.1.</summary>
    public static VpNoiseLevel Default { get; } = new();

    /// <summary>Throws when a constant is not positive and finite.</summary>
    public void Validate()
    {
        if (!(BetaD > 0) || !double.IsFinite(BetaD)) throw new ArgumentOutOfRangeException(nameof(BetaD), BetaD, "β_d must be positive and finite (EDM: 19.9).");
        if (!(BetaMin >= 0) || !double.IsFinite(BetaMin)) throw new ArgumentOutOfRangeException(nameof(BetaMin), BetaMin, "β_min must be non-negative and finite (EDM: 0.1).");
    }

    /// <summary><c>σ(t) = √(exp(½β_d·t² + β_min·t) − 1)</c> (Karras et al. 2022, Table 1, VP σ(t)).</summary>
    public double Sigma(double t) => Math.Sqrt(Math.Exp((0.5 * BetaD * t * t) + (BetaMin * t)) - 1);

    /// <summary><c>σ'(t) = ½(β_min + β_d·t)·(σ(t) + 1/σ(t))</c> (Karras et al. 2022, Table 1, VP σ'(t)).</summary>
    public double SigmaDerivative(double t)
    {
        double s = Sigma(t);
        return 0.5 * (BetaMin + (BetaD * t)) * (s + (1 / s));
    }

    /// <summary><c>σ⁻¹(σ) = (√(β_min² + 2β_d·ln(1+σ²)) − β_min)/β_d</c> (Karras et al. 2022, Table 1, VP).</summary>
    public double Time(double sigma) => (Math.Sqrt((BetaMin * BetaMin) + (2 * BetaD * Math.Log(1 + (sigma * sigma)))) - BetaMin) / BetaD;

    /// <summary>Tensor form of <see cref="Sigma(double)"/>, elementwise.</summary>
    public Tensor Sigma(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        using var scope = new TensorScope();
        Tensor exponent = (t.Square() * (0.5 * BetaD)) + (t * BetaMin);
        return exponent.Expm1().Sqrt().MoveToOuterScope();
    }

    /// <summary>Tensor form of <see cref="Time(double)"/>, elementwise.</summary>
    public Tensor Time(Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        using var scope = new TensorScope();
        Tensor inner = (sigma.Square().Log1p() * (2 * BetaD)) + (BetaMin * BetaMin);
        return ((inner.Sqrt() - BetaMin) / BetaD).MoveToOuterScope();
    }
}
