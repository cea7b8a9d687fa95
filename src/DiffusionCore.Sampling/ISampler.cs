using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>
/// A solver of the diffusion ODE/SDE: a function of (denoiser, x, σ schedule, noise) configured by immutable options
/// given at construction (k-diffusion's separation of schedule, solver and parameterisation). Stateless: no hidden
/// step counter, no required call order; one instance may be used for any number of concurrent runs.
/// </summary>
public interface ISampler
{
    /// <summary>
    /// The options every sampler shares (state dtype, inference mode, product precision); callers that run the
    /// denoiser outside <see cref="Sample"/> with the same settings read them here (<see cref="SamplingBatchPlanner"/>).
    /// </summary>
    SamplerOptions Options { get; }

    /// <summary>
    /// The denoiser calls <see cref="Sample"/> makes for this schedule (NFE; Karras et al. 2022, Table 1): one per step
    /// for single-evaluation solvers (Euler, DDIM, ancestral, multistep), two per step for Heun-type ones except a final
    /// step into σ = 0 (2N − 1).
    /// </summary>
    int FunctionEvaluations(IReadOnlyList<double> sigmas);

    /// <summary>
    /// Integrates from <c>sigmas[0]</c> down to <c>sigmas[^1]</c> (usually 0).
    /// </summary>
    /// <param name="denoiser">The denoiser D(x; σ) (a preconditioned network, an analytic oracle, or a guidance decorator).</param>
    /// <param name="x">The initial state <c>[B, ...]</c> at σ = <c>sigmas[0]</c>, in the variance-exploding form
    /// <c>x = σ_0·ε</c> (Karras et al. 2022, Algorithm 2 line 2; see <see cref="Latents.Initial"/>). Not modified.</param>
    /// <param name="sigmas">The noise levels, strictly decreasing (e.g. <see cref="Schedules.SigmaSchedules.Karras"/>).</param>
    /// <param name="conditioning">Batched conditioning passed to every denoiser call (none when null).</param>
    /// <param name="noise">Noise for stochastic steps; required when the options make the sampler stochastic.</param>
    /// <param name="progress">Called synchronously after every step; its tensors live only during the call.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <returns>The final state in the dtype of <paramref name="x"/> and the number of denoiser calls.</returns>
    SamplingResult Sample(
        IDenoiser denoiser,
        Tensor x,
        IReadOnlyList<double> sigmas,
        Conditioning? conditioning = null,
        INoiseSource? noise = null,
        IProgress<SamplerStep>? progress = null,
        CancellationToken cancellationToken = default);
}
