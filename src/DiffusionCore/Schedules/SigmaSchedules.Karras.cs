namespace DiffusionCore.Schedules;

public static partial class SigmaSchedules
{
    /// <summary>
    /// The EDM ρ-schedule (Karras et al. 2022, Eq. 5 and Table 1 "EDM"):
    /// <c>σ_i = (σ_max^{1/ρ} + i/(N−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ</c> for i = 0..N−1, then σ_N = 0.
    /// With the defaults and N = 18: 80, 57.6, 40.8, …, 0.0075, 0.002, 0.
    /// </summary>
    /// <param name="steps">N, the number of steps (≥ 1).</param>
    /// <param name="sigmaMin">σ_min (0.002).</param>
    /// <param name="sigmaMax">σ_max (80).</param>
    /// <param name="rho">ρ (7); larger values concentrate steps near σ_min.</param>
    public static double[] Karras(int steps, double sigmaMin = 0.002, double sigmaMax = 80, double rho = 7)
    {
        ValidateSteps(steps);
        ValidateRange(sigmaMin, sigmaMax);
        if (!(rho > 0) || !double.IsFinite(rho)) throw new ArgumentOutOfRangeException(nameof(rho), rho, "ρ must be positive (EDM: 7).");
        double a = Math.Pow(sigmaMax, 1 / rho);
        double b = Math.Pow(sigmaMin, 1 / rho);
        return WithZero(steps, i => Math.Pow(a + (Fraction(i, steps) * (b - a)), rho));
    }
}
