namespace DiffusionCore.Sampling;

/// <summary>
/// EDM's stochastic "churn" (Karras et al. 2022, Algorithm 2 and Sect. 4): before step i, noise is added to raise σ_i
/// to <c>σ̂ = σ_i·(1+γ_i)</c> with <c>γ_i = min(S_churn/N, √2−1)</c> when <c>S_min ≤ σ_i ≤ S_max</c>, else 0, and
/// <c>x̂ = x + √(σ̂² − σ_i²)·S_noise·ε</c>. S_churn = 0 (default) is the deterministic ODE sampler. Reference
/// ImageNet-64 settings: S_churn 40, S_min 0.05, S_max 50, S_noise 1.003.
/// </summary>
public sealed record StochasticityOptions
{
    /// <summary>No churn: the deterministic sampler.</summary>
    public static StochasticityOptions None { get; } = new();

    /// <summary>S_churn, the overall amount of stochasticity (≥ 0).</summary>
    public double SChurn { get; init; }

    /// <summary>S_min, the lowest σ at which noise is added.</summary>
    public double SMin { get; init; }

    /// <summary>S_max, the highest σ at which noise is added.</summary>
    public double SMax { get; init; } = double.PositiveInfinity;

    /// <summary>S_noise, the inflation of the added noise's standard deviation (≥ 0; 1.003 in EDM's ImageNet setting).</summary>
    public double SNoise { get; init; } = 1;

    /// <summary>True when some noise can be added (S_churn &gt; 0).</summary>
    public bool IsStochastic => SChurn > 0;

    /// <summary>γ_i for a step starting at σ of a run with N steps (Algorithm 2, line 4).</summary>
    public double Gamma(double sigma, int steps) =>
        SChurn > 0 && sigma >= SMin && sigma <= SMax ? Math.Min(SChurn / steps, Math.Sqrt(2) - 1) : 0;

    /// <summary>Throws <see cref="ArgumentException"/> when an option is invalid.</summary>
    public void Validate()
    {
        if (!(SChurn >= 0) || !double.IsFinite(SChurn)) throw new ArgumentException($"S_churn must be finite and ≥ 0; got {SChurn}.", nameof(SChurn));
        if (!(SMin >= 0) || double.IsNaN(SMax) || SMax < SMin) throw new ArgumentException($"Need 0 ≤ S_min ≤ S_max; got S_min = {SMin}, S_max = {SMax}.", nameof(SMin));
        if (!(SNoise >= 0) || !double.IsFinite(SNoise)) throw new ArgumentException($"S_noise must be finite and ≥ 0; got {SNoise}.", nameof(SNoise));
    }
}
