namespace DiffusionCore.Sampling;

/// <summary>
/// Options of the samplers that add fresh noise at every step with a strength η (Euler ancestral, DPM-Solver++ SDE;
/// Song et al. 2021a, Eq. 16; the SDE form of Lu et al. 2022, "DPM-Solver++"): η = 1 (default) follows the reverse SDE,
/// η = 0 the probability-flow ODE; S_noise scales the added noise (Karras et al. 2022, Algorithm 2).
/// </summary>
public abstract record AncestralNoiseOptions : SamplerOptions
{
    /// <summary>η ≥ 0 (1 = reverse SDE / DDPM posterior, 0 = deterministic ODE solver).</summary>
    public double Eta { get; init; } = 1;

    /// <summary>S_noise ≥ 0, the scale of the added noise (1).</summary>
    public double SNoise { get; init; } = 1;

    /// <summary>True when some noise is added (η &gt; 0 and S_noise &gt; 0): an <see cref="INoiseSource"/> is required.</summary>
    public bool IsStochastic => Eta > 0 && SNoise > 0;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (!(Eta >= 0) || !double.IsFinite(Eta)) throw new ArgumentException($"η must be finite and ≥ 0; got {Eta} (1 = SDE/ancestral, 0 = deterministic).", nameof(Eta));
        if (!(SNoise >= 0) || !double.IsFinite(SNoise)) throw new ArgumentException($"S_noise must be finite and ≥ 0; got {SNoise}.", nameof(SNoise));
    }
}
