using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>
/// The ancestral step shared by DDIM with η and Euler ancestral (Song et al. 2021a, Eq. 12 and 16, in σ form;
/// k-diffusion's <c>get_ancestral_step</c>): from σ to σ' the step splits into a deterministic part to
/// <c>σ_down = √(σ'² − σ_up²)</c> and fresh noise of std <c>σ_up = min(σ', η·σ'·√(σ² − σ'²)/σ)</c>, so the marginal at
/// σ' keeps variance σ'² around the data. η = 1 is the DDPM posterior, η = 0 deterministic DDIM (Euler).
/// </summary>
internal static class AncestralStep
{
    public static (double SigmaDown, double SigmaUp) Split(double sigma, double sigmaNext, double eta)
    {
        double sigmaUp = Math.Min(sigmaNext, eta * sigmaNext * Math.Sqrt((sigma * sigma) - (sigmaNext * sigmaNext)) / sigma);
        return (Math.Sqrt((sigmaNext * sigmaNext) - (sigmaUp * sigmaUp)), sigmaUp);
    }

    /// <summary>
    /// One step: <c>x' = D + (σ_down/σ)·(x − D) + S_noise·σ_up·z</c>, the Euler step to σ_down plus noise; the step
    /// into σ' = 0 returns D.
    /// </summary>
    public static Tensor Apply(SamplerRun run, int i, Tensor xCur, double eta, double sNoise) => run.DenoisedStep(i, xCur, denoised =>
    {
        double sigma = run.Sigmas[i];
        (double sigmaDown, double sigmaUp) = Split(sigma, run.Sigmas[i + 1], eta);
        Tensor xNext = denoised + ((xCur - denoised) * (sigmaDown / sigma));
        return sigmaUp > 0 && sNoise > 0 ? xNext + (run.Noise() * (sigmaUp * sNoise)) : xNext;
    });
}
