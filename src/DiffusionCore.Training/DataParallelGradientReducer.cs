using System.Diagnostics;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Distributed;

namespace DiffusionCore.Training;

/// <summary>
/// Data-parallel gradient reduction over a <see cref="ProcessGroup"/> (libtorch's c10d), the scheme of the PyTorch C++
/// distributed example without a DistributedDataParallel module: every rank trains on its own slice of each global batch,
/// then the gradients are all-reduced after backward, bucketed into few collectives. A <see cref="DiffusionTrainer"/> given
/// this reducer (<see cref="DiffusionTrainer.GradientReducer"/>) also splits each global batch by rank, broadcasts rank 0's
/// training state at the start, sums the loss over ranks, and writes checkpoints, snapshots and logs on rank 0 only
/// (docs/distributed.md).
/// </summary>
/// <remarks>
/// The trainer divides every rank's per-sample loss sum by the global batch size B, so rank k's gradient is
/// ∇(Σ_{i ∈ slice k} ℓᵢ) / B and the sum over ranks is the gradient of the global batch mean, ∇(Σᵢ ℓᵢ) / B: the reducer sums.
/// That is the average of the ranks' per-slice mean gradients (PyTorch DDP's averaging) with the division folded into
/// the loss, so W ranks with B/W images each compute what one process computes with B images.
/// </remarks>
public sealed class DataParallelGradientReducer : IGradientReducer
{
    private readonly Stopwatch _clock = new();

    /// <summary>Creates the reducer over <paramref name="group"/> (not owned: dispose the group yourself).</summary>
    public DataParallelGradientReducer(ProcessGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        Group = group;
    }

    /// <summary>The process group.</summary>
    public ProcessGroup Group { get; }

    /// <summary>Wall time spent in <see cref="Reduce"/> so far, waiting for slower ranks included.</summary>
    public TimeSpan ReduceTime => _clock.Elapsed;

    /// <summary>Sums the gradients of <paramref name="parameters"/> over all ranks, in place, in one bucketed all-reduce.</summary>
    /// <param name="parameters">The trained parameters in the same order on every rank; those without a gradient are skipped (and must lack it on every rank).</param>
    /// <param name="localImages">Images this rank contributed; the trainer has already normalised by the global batch.</param>
    public void Reduce(IReadOnlyList<Tensor> parameters, long localImages)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _clock.Start();
        try
        {
            using var scope = new TensorScope();
            var gradients = new List<Tensor>(parameters.Count);
            foreach (Tensor p in parameters)
            {
                if (p.Grad is { } g) gradients.Add(g);
            }

            Group.AllReduce(gradients, ReduceOperation.Sum);
        }
        finally
        {
            _clock.Stop();
        }
    }
}
