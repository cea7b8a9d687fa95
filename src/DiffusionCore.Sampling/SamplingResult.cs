using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>The outcome of a sampler run.</summary>
/// <param name="Samples">The final state, in the dtype of the initial x, owned by the caller's enclosing <see cref="TensorScope"/> (or by the caller when none is open).</param>
/// <param name="FunctionEvaluations">The number of denoiser calls (NFE; Karras et al. 2022, Table 1): N for Euler, DDIM, DDPM, Euler ancestral and the multistep solvers (DPM-Solver++, UniPC, LMS), 2N−1 for Heun with a final σ of 0.</param>
/// <param name="Steps">N, the number of steps taken (sigmas.Count − 1).</param>
public sealed record SamplingResult(Tensor Samples, int FunctionEvaluations, int Steps);
