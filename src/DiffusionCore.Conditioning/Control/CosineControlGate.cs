using DiffusionCore.Torch;

namespace DiffusionCore.Control;

/// <summary>
/// The default control gate: a cosine ramp in log σ that rises toward low noise (docs/control-conditioning.md, "Gate";
/// the paper's exact schedule is not published, docs/recipes.md §6):
/// <c>u = clamp((ln σ − ln σ_lo)/(ln σ_hi − ln σ_lo), 0, 1)</c>, <c>g(σ) = cos(π·u/2)</c>, so g = 1 for σ ≤ σ_lo,
/// g = 0 for σ ≥ σ_hi and g falls smoothly between. The defaults (σ_lo = 0.1, σ_hi = 10) switch the controls fully on
/// near the data and off at the noise levels where a 32² image's layout and class are decided. Model files store it as
/// <c>{"kind":"cosine","sigma_low":…,"sigma_high":…}</c> (<see cref="ControlGateRegistry"/>); gates of equal bounds are equal.
/// </summary>
public sealed record CosineControlGate : IControlGate
{
    /// <summary>Creates the ramp between <paramref name="sigmaLow"/> (gate 1) and <paramref name="sigmaHigh"/> (gate 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The bounds are not finite with 0 &lt; σ_lo &lt; σ_hi.</exception>
    public CosineControlGate(double sigmaLow = 0.1, double sigmaHigh = 10)
    {
        if (!(sigmaLow > 0) || !(sigmaHigh > sigmaLow) || !double.IsFinite(sigmaHigh))
        {
            throw new ArgumentOutOfRangeException(
                nameof(sigmaLow), $"The cosine control gate needs finite bounds 0 < σ_lo < σ_hi; got σ_lo = {sigmaLow}, σ_hi = {sigmaHigh}.");
        }

        SigmaLow = sigmaLow;
        SigmaHigh = sigmaHigh;
    }

    /// <summary>σ_lo: at and below it the gate is 1.</summary>
    public double SigmaLow { get; }

    /// <summary>σ_hi: at and above it the gate is 0.</summary>
    public double SigmaHigh { get; }

    /// <summary>g(σ) for one noise level (the same formula in float64).</summary>
    public double Evaluate(double sigma)
    {
        double u = Math.Clamp((Math.Log(sigma) - Math.Log(SigmaLow)) / (Math.Log(SigmaHigh) - Math.Log(SigmaLow)), 0, 1);
        return u >= 1 ? 0 : Math.Cos(Math.PI * u / 2);
    }

    /// <inheritdoc />
    public Tensor Evaluate(Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        using var scope = new TensorScope();
        double lo = Math.Log(SigmaLow);
        Tensor u = sigma.Clamp(min: double.Epsilon).Log().Sub(lo).Div(Math.Log(SigmaHigh) - lo).Clamp(0, 1);
        // Exactly 0 at and above σ_hi (cos(π/2) is 6e-17 in floating point), so the network ignores the controls there exactly.
        return u.Mul(Math.PI / 2).Cos().Mul(u.Lt(1.0).To(u.DType)).MoveToOuterScope();
    }
}
