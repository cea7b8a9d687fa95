namespace DiffusionCore.Schedules;

public static partial class SigmaSchedules
{
    /// <summary>
    /// The VP discretisation (Karras et al. 2022, Table 1 "VP", after Song et al. 2021):
    /// <c>t_i = 1 + i/(N−1)·(ε_s − 1)</c>, <c>σ_i = σ_VP(t_i)</c>, then σ_N = 0.
    /// </summary>
    /// <param name="steps">N (≥ 1).</param>
    /// <param name="epsilonS">ε_s, the last time step (10⁻³).</param>
    /// <param name="noiseLevel">The VP σ(t) constants (β_d = 19.9, β_min = 0.1 when null).</param>
    public static double[] Vp(int steps, double epsilonS = 1e-3, VpNoiseLevel? noiseLevel = null)
    {
        ValidateSteps(steps);
        if (!(epsilonS > 0 && epsilonS < 1)) throw new ArgumentOutOfRangeException(nameof(epsilonS), epsilonS, "ε_s must be in (0, 1) (EDM: 10⁻³).");
        VpNoiseLevel vp = noiseLevel ?? VpNoiseLevel.Default;
        vp.Validate();
        return WithZero(steps, i => vp.Sigma(1 + (Fraction(i, steps) * (epsilonS - 1))));
    }
}
