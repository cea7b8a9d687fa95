using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>Options of the <see cref="DpmSolverPlusPlus2MSampler"/>.</summary>
public sealed record DpmSolverPlusPlus2MOptions : SamplerOptions;

/// <summary>
/// DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Algorithm 2): a second-order multistep solver of the
/// data-prediction ODE in λ = −ln σ (the σ form, x = x_VP/√ᾱ). With h_i = λ_{i+1} − λ_i and r_i = h_{i−1}/h_i:
/// <c>x_{i+1} = (σ_{i+1}/σ_i)·x_i − (e^{−h_i} − 1)·D̃_i</c>, where D̃_0 = D_0 (first order) and
/// <c>D̃_i = (1 + 1/(2r_i))·D_i − 1/(2r_i)·D_{i−1}</c>. The step into σ = 0 returns D. One denoiser call per step
/// (N in total): the fast few-step option (10–20 steps).
/// </summary>
public sealed class DpmSolverPlusPlus2MSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    public DpmSolverPlusPlus2MSampler(DpmSolverPlusPlus2MOptions? options = null)
    {
        Options = options ?? new DpmSolverPlusPlus2MOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public DpmSolverPlusPlus2MOptions Options { get; }

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
            null, cancellationToken);
        var history = new StepHistory(1);
        return run.Run(run.Initial, (i, xCur) => run.DenoisedStep(i, xCur, denoised =>
        {
            double sigma = run.Sigmas[i];
            double sigmaNext = run.Sigmas[i + 1];
            double h = Math.Log(sigma / sigmaNext);               // λ_{i+1} − λ_i with λ = −ln σ
            double expm1 = -double.ExpM1(-h);                    // −(e^{−h} − 1) = 1 − e^{−h}
            Tensor target = denoised;
            if (history.Count > 0)
            {
                double hLast = Math.Log(run.Sigmas[i - 1] / sigma);
                double r = hLast / h;
                target = (denoised * (1 + (1 / (2 * r)))) - (history[0] * (1 / (2 * r)));
            }

            history.Push(denoised);
            return (xCur * (sigmaNext / sigma)) + (target * expm1);
        }));
    }
}
