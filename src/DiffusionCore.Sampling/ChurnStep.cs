using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>The churn of Karras et al. 2022, Algorithm 2, lines 4–6, shared by the Euler and Heun samplers.</summary>
internal static class ChurnStep
{
    /// <summary>Returns σ̂ and x̂ = x + √(σ̂² − σ²)·S_noise·ε (x itself when γ = 0).</summary>
    public static (double SigmaHat, Tensor XHat) Apply(SamplerRun run, StochasticityOptions options, Tensor x, double sigma)
    {
        double gamma = options.Gamma(sigma, run.Steps);
        if (gamma <= 0)
        {
            return (sigma, x);
        }

        double sigmaHat = sigma * (1 + gamma);
        double scale = Math.Sqrt((sigmaHat * sigmaHat) - (sigma * sigma)) * options.SNoise;
        return (sigmaHat, x + (run.Noise() * scale));
    }

    public const string NoiseReason = "S_churn > 0 adds fresh noise at every churned step (Karras et al. 2022, Algorithm 2, line 5).";
}
