namespace DiffusionCore.Schedules;

/// <summary>
/// Noise-level discretisations for sampling. Each returns a plain array of N+1 strictly decreasing noise levels
/// <c>σ_0 &gt; … &gt; σ_{N−1} &gt; σ_N = 0</c> (the trailing zero is the clean sample), which any solver accepts:
/// the schedule is independent of the solver and of the denoiser's parameterisation (k-diffusion's separation).
/// </summary>
public static partial class SigmaSchedules
{
    /// <summary>i/(N−1), defined as 0 for a single step.</summary>
    private static double Fraction(int i, int steps) => steps == 1 ? 0 : (double)i / (steps - 1);

    private static void ValidateSteps(int steps)
    {
        if (steps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, "A schedule needs at least one step (EDM uses 18 for CIFAR-10, 32 for EDM2).");
        }
    }

    private static void ValidateRange(double sigmaMin, double sigmaMax)
    {
        if (!(sigmaMin > 0) || !double.IsFinite(sigmaMin) || !(sigmaMax > sigmaMin) || !double.IsFinite(sigmaMax))
        {
            throw new ArgumentOutOfRangeException(
                nameof(sigmaMin), $"Need 0 < sigmaMin < sigmaMax < ∞; got sigmaMin = {sigmaMin}, sigmaMax = {sigmaMax}.");
        }
    }

    private static double[] WithZero(int steps, Func<int, double> sigma)
    {
        var result = new double[steps + 1];
        for (int i = 0; i < steps; i++)
        {
            result[i] = sigma(i);
        }

        result[steps] = 0;
        return result;
    }

    /// <summary>
    /// Checks that <paramref name="sigmas"/> is a valid schedule for a solver: at least two values, finite, strictly
    /// decreasing, positive except possibly the last, which may be 0.
    /// </summary>
    /// <exception cref="ArgumentException">The schedule is not valid; the message names the offending entry.</exception>
    public static void Validate(IReadOnlyList<double> sigmas)
    {
        ArgumentNullException.ThrowIfNull(sigmas);
        if (sigmas.Count < 2)
        {
            throw new ArgumentException(
                $"A schedule needs at least two noise levels (start and end); got {sigmas.Count}. Build one with SigmaSchedules.Karras(steps).",
                nameof(sigmas));
        }

        for (int i = 0; i < sigmas.Count; i++)
        {
            double s = sigmas[i];
            if (!double.IsFinite(s) || s < 0)
            {
                throw new ArgumentException($"sigmas[{i}] = {s} is not a finite non-negative noise level.", nameof(sigmas));
            }

            if (i > 0 && !(s < sigmas[i - 1]))
            {
                throw new ArgumentException(
                    $"Noise levels must decrease strictly; sigmas[{i}] = {s} is not below sigmas[{i - 1}] = {sigmas[i - 1]}. " +
                    "Order the schedule from the largest σ to the smallest (ending in 0).", nameof(sigmas));
            }
        }
    }
}
