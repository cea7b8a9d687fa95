using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>How DPM-Solver++(2M) SDE weights its first difference of denoiser outputs.</summary>
public enum DpmSolverSecondOrderTerm
{
    /// <summary><c>½·(1 − e^{−H})</c>: the midpoint form of Lu et al. 2022 (k-diffusion's default).</summary>
    Midpoint = 0,

    /// <summary><c>1 − (1 − e^{−H})/H = H·φ₂(−H)</c>: the exact integral of the linear extrapolation (k-diffusion's "heun").</summary>
    Heun = 1,
}

/// <summary>Options of the <see cref="DpmSolverPlusPlus2MSdeSampler"/> (η = 1, S_noise = 1, midpoint by default).</summary>
public sealed record DpmSolverPlusPlus2MSdeOptions : AncestralNoiseOptions
{
    /// <summary>The weight of the second-order term.</summary>
    public DpmSolverSecondOrderTerm SecondOrderTerm { get; init; } = DpmSolverSecondOrderTerm.Midpoint;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(SecondOrderTerm))
        {
            throw new ArgumentException($"Unknown second-order term {SecondOrderTerm}; use Midpoint or Heun.", nameof(SecondOrderTerm));
        }
    }
}

/// <summary>
/// DPM-Solver++(2M) SDE (Lu et al. 2022, "DPM-Solver++", Algorithm 2 in its SDE form, in the σ form; k-diffusion's
/// <c>sample_dpmpp_2m_sde</c>): with h = ln(σ_i/σ_{i+1}), H = (1+η)·h and r = h_{i−1}/h,
/// <c>x_{i+1} = (σ_{i+1}/σ_i)·e^{−ηh}·x_i + (1 − e^{−H})·D_i + c(H)·(D_i − D_{i−1})/r + σ_{i+1}·√(1 − e^{−2ηh})·S_noise·z</c>,
/// with c(H) from <see cref="DpmSolverPlusPlus2MSdeOptions.SecondOrderTerm"/> (the first step is first order; the
/// step into σ = 0 returns D). η = 0 is the deterministic DPM-Solver++(2M). The noise z comes from the
/// <see cref="INoiseSource"/> (one stream per image with <see cref="PerSampleNoiseSource"/>), independent Gaussians per
/// step where k-diffusion defaults to a Brownian tree. N denoiser calls.
/// </summary>
public sealed class DpmSolverPlusPlus2MSdeSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    public DpmSolverPlusPlus2MSdeSampler(DpmSolverPlusPlus2MSdeOptions? options = null)
    {
        Options = options ?? new DpmSolverPlusPlus2MSdeOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public DpmSolverPlusPlus2MSdeOptions Options { get; }

    /// <inheritdoc />
    SamplerOptions ISampler.Options => Options;

    /// <inheritdoc />
    public int FunctionEvaluations(IReadOnlyList<double> sigmas) => SamplerRun.CountFunctionEvaluations(sigmas, secondOrder: false);

    /// <inheritdoc />
    public SamplingResult Sample(
        IDenoiser denoiser, Tensor x, IReadOnlyList<double> sigmas, Conditioning? conditioning = null, INoiseSource? noise = null,
        IProgress<SamplerStep>? progress = null, CancellationToken cancellationToken = default)
    {
        using var run = new SamplerRun(denoiser, x, sigmas, Options, conditioning, noise, progress,
            Options.IsStochastic ? DataPredictionStep.NoiseReason : null, cancellationToken);
        return DataPredictionStep.Sample(run, Options, historyLength: 1, (i, h, denoised, history) =>
        {
            double r = DataPredictionStep.LogStep(run.Sigmas[i - 1], run.Sigmas[i]) / h;
            double bigH = (1 + Options.Eta) * h;
            double c = Options.SecondOrderTerm == DpmSolverSecondOrderTerm.Midpoint
                ? -0.5 * double.ExpM1(-bigH)
                : bigH * ExponentialIntegrator.Phi(2, -bigH);
            return (denoised - history[0]) * (c / r);
        });
    }
}
