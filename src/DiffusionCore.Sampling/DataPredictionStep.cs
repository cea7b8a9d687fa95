using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>
/// The parts shared by the DPM-Solver++ SDE solvers (Lu et al. 2022, "DPM-Solver++", Algorithm 2 and its SDE variant;
/// η interpolates between the probability-flow ODE, 0, and the reverse SDE, 1, as in k-diffusion) in the σ form (x = x_VP/α, λ = −ln σ, h = λ_{i+1} − λ_i): the step
/// <c>x_{i+1} = (σ_{i+1}/σ_i)·e^{−ηh}·x_i + ∫ (data term) + σ_{i+1}·√(1 − e^{−2ηh})·S_noise·z</c>, whose data term
/// integrates D against the kernel <c>H·e^{−H(1−τ)}</c>, H = (1+η)·h, τ = (λ − λ_i)/h. Its zeroth-order part is
/// <c>(1 − e^{−H})·D_i</c>; η = 1 makes the first-order step the DDPM posterior, η = 0 the DDIM/Euler step.
/// </summary>
internal static class DataPredictionStep
{
    /// <summary>h = ln(σ/σ').</summary>
    public static double LogStep(double sigma, double sigmaNext) => Math.Log(sigma / sigmaNext);

    /// <summary><c>(σ'/σ)·e^{−ηh}·x + (1 − e^{−(1+η)h})·D</c>.</summary>
    public static Tensor FirstOrder(Tensor x, Tensor denoised, double sigma, double sigmaNext, double eta)
    {
        double h = LogStep(sigma, sigmaNext);
        return (x * (sigmaNext / sigma * Math.Exp(-eta * h))) + (denoised * -double.ExpM1(-(1 + eta) * h));
    }

    /// <summary>Adds <c>σ'·√(1 − e^{−2ηh})·S_noise·z</c> when the options are stochastic.</summary>
    public static Tensor AddNoise(SamplerRun run, Tensor x, double sigma, double sigmaNext, AncestralNoiseOptions options)
    {
        if (!options.IsStochastic) return x;
        double h = LogStep(sigma, sigmaNext);
        return x + (run.Noise() * (sigmaNext * Math.Sqrt(-double.ExpM1(-2 * options.Eta * h)) * options.SNoise));
    }

    /// <summary>
    /// Runs a DPM-Solver++ SDE solver: per step D_i, the first-order part, the higher-order term
    /// <paramref name="correction"/>(i, h, D_i, history) once the history (the last <paramref name="historyLength"/>
    /// outputs, newest first) holds an output, then the noise; the step into σ = 0 returns D.
    /// </summary>
    public static SamplingResult Sample(SamplerRun run, AncestralNoiseOptions options, int historyLength, Func<int, double, Tensor, StepHistory, Tensor> correction)
    {
        var history = new StepHistory(historyLength);
        return run.Run(run.Initial, (i, xCur) => run.DenoisedStep(i, xCur, denoised =>
        {
            double sigma = run.Sigmas[i];
            double sigmaNext = run.Sigmas[i + 1];
            Tensor xNext = FirstOrder(xCur, denoised, sigma, sigmaNext, options.Eta);
            if (history.Count > 0)
            {
                xNext = xNext + correction(i, LogStep(sigma, sigmaNext), denoised, history);
            }

            history.Push(denoised);
            return AddNoise(run, xNext, sigma, sigmaNext, options);
        }));
    }

    public const string NoiseReason = "A DPM-Solver++ SDE solver with η > 0 adds fresh noise at every step (the reverse-SDE form of Lu et al. 2022).";
}
