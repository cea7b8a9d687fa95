using DiffusionCore.Sampling;
using DiffusionCore.Torch;

namespace DiffusionCore.Generation;

/// <summary>The images of one <see cref="GenerationPipeline.Generate"/> call.</summary>
/// <param name="Images">float32 <c>[N, C, H, W]</c>, image k from seed k, in the data range (EDM: about [−1, 1]); owned by the caller's scope.</param>
/// <param name="Seeds">The seeds, one per image.</param>
/// <param name="Classes">The class of each image, or null.</param>
/// <param name="Sigmas">The σ grid sampled.</param>
/// <param name="Plan">The batch plan used.</param>
/// <param name="FunctionEvaluations">Denoiser calls per image (NFE; guidance with two branches costs two network evaluations per call).</param>
public sealed record GeneratedImages(
    Tensor Images, IReadOnlyList<ulong> Seeds, IReadOnlyList<int>? Classes, IReadOnlyList<double> Sigmas, SamplingBatchPlan Plan, int FunctionEvaluations);
