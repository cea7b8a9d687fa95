namespace DiffusionCore.Schedules;

public static partial class SigmaSchedules
{
    /// <summary>
    /// The VE discretisation (Karras et al. 2022, Table 1 "VE", after Song et al. 2021):
    /// <c>t_i = σ_max²·(σ_min²/σ_max²)^{i/(N−1)}</c>, <c>σ_i = √t_i</c>, i.e. geometric in σ, then σ_N = 0.
    /// </summary>
    /// <param name="steps">N (≥ 1).</param>
    /// <param name="sigmaMin">σ_min (0.02).</param>
    /// <param name="sigmaMax">σ_max (100).</param>
    public static double[] Ve(int steps, double sigmaMin = 0.02, double sigmaMax = 100)
    {
        ValidateSteps(steps);
        ValidateRange(sigmaMin, sigmaMax);
        double ratio = (sigmaMin * sigmaMin) / (sigmaMax * sigmaMax);
        return WithZero(steps, i => Math.Sqrt(sigmaMax * sigmaMax * Math.Pow(ratio, Fraction(i, steps))));
    }

    /// <summary>
    /// Noise levels evenly spaced in ln σ from σ_max down to σ_min, then 0 (k-diffusion's "exponential" schedule;
    /// the same grid as the VE discretisation of Karras et al. 2022, Table 1, with free bounds).
    /// </summary>
    /// <param name="steps">N (≥ 1).</param>
    /// <param name="sigmaMin">σ_min.</param>
    /// <param name="sigmaMax">σ_max.</param>
    public static double[] Exponential(int steps, double sigmaMin, double sigmaMax)
    {
        ValidateSteps(steps);
        ValidateRange(sigmaMin, sigmaMax);
        double a = Math.Log(sigmaMax);
        double b = Math.Log(sigmaMin);
        return WithZero(steps, i => Math.Exp(a + (Fraction(i, steps) * (b - a))));
    }
}
