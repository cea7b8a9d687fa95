using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>
/// Progress after one sampler step. The tensors belong to the step and are disposed when the
/// <see cref="IProgress{T}.Report"/> call returns: use a synchronous reporter such as
/// <see cref="SynchronousProgress{T}"/> and <see cref="Tensor.Clone"/> (then <see cref="Tensor.DetachFromScope"/>)
/// anything you keep. <see cref="Progress{T}"/> posts asynchronously and would see disposed tensors.
/// </summary>
/// <param name="Index">The step index i (0-based).</param>
/// <param name="Steps">The total number of steps N.</param>
/// <param name="Sigma">σ_i, the level the step started from.</param>
/// <param name="SigmaNext">σ_{i+1}, the level the step ended at.</param>
/// <param name="X">The state x_{i+1} after the step.</param>
/// <param name="Denoised">The first denoiser output of the step (the clean-sample estimate at σ_i, or σ̂_i with churn).</param>
/// <param name="FunctionEvaluations">Denoiser calls so far.</param>
public sealed record SamplerStep(int Index, int Steps, double Sigma, double SigmaNext, Tensor X, Tensor Denoised, int FunctionEvaluations);
