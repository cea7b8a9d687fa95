using DiffusionCore.Data;
using DiffusionCore.Evaluation;
using DiffusionCore.Sampling;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.DeMeStudy;

/// <summary>
/// FD-FMNIST and class agreement of unguided DPM-Solver++(2M) samples on the Karras grid: image k has seed S + k and
/// class k mod 10, so every model is scored on the same noise and classes.
/// </summary>
internal sealed class Scorer(FashionMnistEvaluator evaluator, int steps)
{
    public EvaluationResult Score(IDenoiser denoiser, int count, ulong firstSeed)
    {
        using var scope = new TensorScope();
        ulong[] seeds = [.. Enumerable.Range(0, count).Select(k => firstSeed + (ulong)k)];
        long[] classes = [.. Enumerable.Range(0, count).Select(k => (long)(k % JobModel.Classes))];
        Tensor labels = Tensor.FromArray(classes).OneHot(JobModel.Classes).To(DType.Float32);
        var sampler = new DpmSolverPlusPlus2MSampler();
        BatchedSamplingResult r = sampler.Generate(denoiser, seeds, [1, JobModel.Resolution, JobModel.Resolution], SigmaSchedules.Karras(steps),
            Conditioning.FromClassLabels(labels), new SamplingBatchOptions { BatchSize = 100 });
        return evaluator.Evaluate([new ImageBatch(r.Samples.Clamp(-1, 1), Tensor.FromArray(classes))]);
    }
}
