using System.Globalization;
using System.Text.Json.Nodes;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Distributed;
using DiffusionCore.Training.Checkpoints;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiffusionCore.Training;

/// <summary>
/// Data-parallel training (docs/distributed.md), active when <see cref="GradientReducer"/> is a
/// <see cref="DataParallelGradientReducer"/>: rank k of W trains on images [k·B/W, (k+1)·B/W) of every global batch of
/// B images (the same seeded order and the same σ and noise draws as one process), its loss divided by B, and the
/// reducer sums the gradients; rank 0 alone resumes, writes checkpoints, snapshots and logs, and its state is broadcast
/// to every rank before the first step, so weights, optimizer and EMA are identical on all ranks.
/// </summary>
public partial class DiffusionTrainer
{
    private ProcessGroup? Group => (GradientReducer as DataParallelGradientReducer)?.Group;

    private int Rank => Group?.Rank ?? 0;

    private int WorldSize => Group?.WorldSize ?? 1;

    private bool IsRankZero => Rank == 0;

    /// <summary>The trainer's logger on rank 0, nothing elsewhere.</summary>
    private ILogger Log => IsRankZero ? _logger : NullLogger.Instance;

    /// <summary>This rank's images of each global batch: the offset of its first and their count.</summary>
    private (int Offset, int Count) LocalSlice()
    {
        int local = _options.BatchSize / WorldSize;
        return (Rank * local, local);
    }

    /// <summary>
    /// Makes every rank start from rank 0's state: rank 0's checkpoint state (resumed or fresh) is broadcast and restored
    /// on the other ranks, after checking that all ranks run with the same options and that the batch splits evenly.
    /// </summary>
    private void SynchronizeRanks(ProcessGroup group)
    {
        using var scope = new TensorScope();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (group.IsRankZero)
        {
            CaptureState(tensors, metadata);
            if (_resumedFrom is long resumed) metadata[ResumedFromKey] = resumed.ToString(CultureInfo.InvariantCulture);
        }

        TrainingStateBroadcast.Header header = TrainingStateBroadcast.BroadcastHeader(group, tensors, metadata);
        string? problem = group.IsRankZero ? null : DifferenceFromRankZero(header.Metadata);
        using (var flag = Tensor.Full([1], problem is null ? 0 : 1, DType.Int64, group.Device))
        {
            group.AllReduce(flag, ReduceOperation.Max);
            if (flag.ToInt64() != 0)
            {
                throw new InvalidOperationException(problem ??
                    $"Another rank runs with other TrainingOptions or EMA trackers than rank {group.Rank} (its own error names the " +
                    "difference). Every rank must use the same options (RunDirectory and Resume excepted) and trackers.");
            }
        }

        int rounds = _options.AccumulationRounds;
        if (_options.BatchSize % (group.WorldSize * rounds) != 0)
        {
            throw new InvalidOperationException(
                $"BatchSize {_options.BatchSize} cannot be split evenly over {group.WorldSize} ranks × {rounds} accumulation round(s): " +
                $"the global batch must be a multiple of {group.WorldSize * rounds}. Change BatchSize, AccumulationRounds or the number of processes.");
        }

        TrainingStateBroadcast.BroadcastTensors(group, header, tensors);
        if (group.IsRankZero) return;
        long images = long.Parse(header.Metadata[TrainingStateKeys.ImagesSeen], NumberStyles.None, CultureInfo.InvariantCulture);
        ApplyState(tensors, header.Metadata, new SavedState(images, IntraOpThreads: null));
        _resumedFrom = header.Metadata.TryGetValue(ResumedFromKey, out string? from) ? long.Parse(from, CultureInfo.InvariantCulture) : null;
    }

    private const string ResumedFromKey = "resumed_from";

    /// <summary>How this rank's options or EMA trackers differ from rank 0's (in <paramref name="rankZeroMetadata"/>), or null when they agree.</summary>
    private string? DifferenceFromRankZero(Dictionary<string, string> rankZeroMetadata)
    {
        string names = string.Join(",", _emaTrackers.Select(t => t.Name));
        string theirNames = rankZeroMetadata.TryGetValue(TrainingStateKeys.EmaNames, out string? n) ? n : string.Empty;
        if (names != theirNames)
        {
            return $"Rank {Rank} tracks the EMAs [{names}] but rank 0 tracks [{theirNames}]; every rank must track the same ones.";
        }

        JsonNode? Comparable(string json)
        {
            JsonNode? node = JsonNode.Parse(json);
            if (node is JsonObject o)
            {
                o.Remove(nameof(TrainingOptions.RunDirectory));
                o.Remove(nameof(TrainingOptions.Resume));
            }

            return node;
        }

        string mine = System.Text.Json.JsonSerializer.Serialize(_options, JsonOptions);
        string theirs = rankZeroMetadata.TryGetValue(TrainingStateKeys.Options, out string? t) ? t : string.Empty;
        if (theirs.Length > 0 && JsonNode.DeepEquals(Comparable(mine), Comparable(theirs))) return null;
        return $"Rank {Rank} runs with other TrainingOptions than rank 0; every rank must use the same options (RunDirectory and Resume excepted). " +
               $"Rank 0: {theirs}; rank {Rank}: {mine}.";
    }

    /// <summary>Whether to stop now: any rank's cancellation stops every rank at the same step.</summary>
    private bool StopRequested(CancellationToken cancellationToken)
    {
        bool local = cancellationToken.IsCancellationRequested;
        if (Group is not { } group) return local;
        using var flag = Tensor.Full([1], local ? 1 : 0, DType.Int64, group.Device);
        group.AllReduce(flag, ReduceOperation.Max);
        return flag.ToInt64() != 0;
    }

    /// <summary>The sum of <paramref name="value"/> over all ranks (float64, exact for two ranks).</summary>
    private double SumOverRanks(double value)
    {
        if (Group is not { } group) return value;
        using var sum = Tensor.Full([1], value, DType.Float64, group.Device);
        group.AllReduce(sum);
        return sum.ToDouble();
    }
}
