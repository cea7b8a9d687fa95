namespace DiffusionCore.Sampling;

/// <summary>
/// The φ-functions of exponential integrators, <c>φ_k(z) = Σ_{j≥0} z^j/(j+k)!</c>, so that
/// <c>∫₀¹ e^{(1−τ)z}·τ^{k−1}/(k−1)! dτ = φ_k(z)</c> (Hochbruck and Ostermann 2010, Eq. 2.10; the coefficients of
/// DPM-Solver, Lu et al. 2022, and UniPC, Zhao et al. 2023). A series near 0 avoids the cancellation of the closed form.
/// </summary>
internal static class ExponentialIntegrator
{
    public static double Phi(int k, double z)
    {
        if (Math.Abs(z) < 1)
        {
            // Terms fall below 1e-20 of the first by j = 20.
            double term = 1, sum = 0, factorial = 1;
            for (int j = 2; j <= k; j++) factorial *= j;
            for (int j = 0; j < 24; j++)
            {
                sum += term / factorial;
                term *= z;
                factorial *= j + k + 1;
            }

            return sum;
        }

        double partial = 0, power = 1, fact = 1;
        for (int j = 0; j < k; j++)
        {
            partial += power / fact;
            power *= z;
            fact *= j + 1;
        }

        return (Math.Exp(z) - partial) / power;
    }

    /// <summary>
    /// The weights <c>w_j = ∫₀¹ H·e^{−H(1−τ)}·τ^j dτ = j!·H·φ_{j+1}(−H)</c>, j = 0..count−1: the exact integral of a
    /// polynomial <c>Σ_j a_j·τ^j</c> in τ = (λ − λ_i)/h against the data-prediction kernel of a step with H = (1+η)·h.
    /// </summary>
    public static double[] PolynomialWeights(double bigH, int count)
    {
        var w = new double[count];
        double factorial = 1;
        for (int j = 0; j < count; j++)
        {
            if (j > 0) factorial *= j;
            w[j] = factorial * bigH * Phi(j + 1, -bigH);
        }

        return w;
    }
}
