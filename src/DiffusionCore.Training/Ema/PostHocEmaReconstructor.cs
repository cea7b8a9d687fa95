using System.Globalization;
using DiffusionCore.Merge;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Ema;

/// <summary>
/// Post-hoc EMA (Karras et al. 2024, EDM2 §3, App. C.3): from stored snapshots of power-function EMAs, reconstructs the
/// average for any σ_rel ending at any snapshot time, as a least-squares combination of the snapshots' profiles
/// (<see cref="PostHocEmaSolver"/>). The weighted sum is DiffusionCore.Merge's (<see cref="StateDictArithmetic"/>):
/// each snapshot file is opened in turn and read one tensor at a time, so peak memory is about one tensor plus one
/// float32 network per output, whatever the number of snapshots.
/// </summary>
/// <example>
/// <code>
/// var posthoc = PostHocEmaReconstructor.FromDirectory("run/snapshots");
/// using PostHocEmaResult ema = posthoc.Reconstruct(sigmaRel: 0.075);
/// ema.LoadInto(network);                  // or ema.Save("ema-0.075.safetensors")
/// </code>
/// </example>
public sealed class PostHocEmaReconstructor
{
    private readonly EmaSnapshotInfo[] _snapshots;

    /// <summary>Uses the given snapshots (typically those of one run, from <see cref="EmaSnapshotInfo.List"/>).</summary>
    /// <param name="snapshots">At least one snapshot; they are sorted by images seen, then σ_rel.</param>
    public PostHocEmaReconstructor(IEnumerable<EmaSnapshotInfo> snapshots)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        _snapshots = [.. snapshots.OrderBy(static s => s.ImagesSeen).ThenBy(static s => s.SigmaRel)];
        if (_snapshots.Length == 0)
        {
            throw new ArgumentException("Post-hoc EMA needs at least one stored snapshot.", nameof(snapshots));
        }

        foreach (EmaSnapshotInfo s in _snapshots)
        {
            if (s.ImagesSeen <= 0)
            {
                throw new ArgumentException($"The snapshot '{s.Path}' was taken at {s.ImagesSeen} images seen; snapshots must come after at least one step.", nameof(snapshots));
            }
        }
    }

    /// <summary>The snapshots, sorted by images seen then σ_rel; weights are indexed in this order.</summary>
    public IReadOnlyList<EmaSnapshotInfo> Snapshots => _snapshots;

    /// <summary>Every power-EMA snapshot in a directory (<see cref="EmaSnapshotInfo.List"/>).</summary>
    /// <param name="directory">The snapshot directory.</param>
    /// <returns>The reconstructor.</returns>
    /// <exception cref="ArgumentException">The directory holds no snapshot.</exception>
    public static PostHocEmaReconstructor FromDirectory(string directory)
    {
        IReadOnlyList<EmaSnapshotInfo> found = EmaSnapshotInfo.List(directory);
        return found.Count > 0
            ? new PostHocEmaReconstructor(found)
            : throw new ArgumentException($"The directory '{directory}' holds no power-EMA snapshot (*.safetensors with format '{EmaSnapshotInfo.FormatTag}').", nameof(directory));
    }

    /// <summary>
    /// The weights of every snapshot in every target (no tensor is read): for each target end time T, the snapshots up
    /// to T are combined by <see cref="PostHocEmaSolver.Solve"/>; later snapshots weigh 0.
    /// </summary>
    /// <param name="targets">The wanted averages.</param>
    /// <returns>X, shape [snapshots, targets]; each column sums to 1.</returns>
    public double[,] SolveWeights(IReadOnlyList<PostHocEmaTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        long[] ends = ResolveTimes(targets);
        var x = new double[_snapshots.Length, targets.Count];
        foreach (IGrouping<long, int> group in Enumerable.Range(0, targets.Count).GroupBy(k => ends[k]))
        {
            int[] used = [.. Enumerable.Range(0, _snapshots.Length).Where(i => _snapshots[i].ImagesSeen <= group.Key)];
            int[] columns = [.. group];
            EmaProfile[] profiles = [.. used.Select(i => _snapshots[i].Profile)];
            EmaProfile[] wanted = [.. columns.Select(k => EmaProfile.FromSigmaRel(group.Key, targets[k].SigmaRel))];
            double[,] w = PostHocEmaSolver.Solve(profiles, wanted);
            for (int c = 0; c < columns.Length; c++)
            {
                for (int r = 0; r < used.Length; r++)
                {
                    x[used[r], columns[c]] = w[r, c];
                }
            }
        }

        return x;
    }

    /// <summary>Reconstructs one average.</summary>
    /// <param name="sigmaRel">σ_rel in (0, 1/√12).</param>
    /// <param name="imagesSeen">The end time (a snapshot's images seen), or null for the latest snapshot.</param>
    /// <returns>The reconstruction; the caller disposes it.</returns>
    public PostHocEmaResult Reconstruct(double sigmaRel, long? imagesSeen = null) => Reconstruct([new PostHocEmaTarget(sigmaRel, imagesSeen)])[0];

    /// <summary>Reconstructs a list of σ_rel at one end time in a single pass over the snapshots (a σ_rel sweep).</summary>
    /// <param name="sigmaRels">The widths to reconstruct.</param>
    /// <param name="imagesSeen">The end time (a snapshot's images seen), or null for the latest snapshot.</param>
    /// <returns>One result per σ_rel, in order; the caller disposes them.</returns>
    public IReadOnlyList<PostHocEmaResult> Sweep(IEnumerable<double> sigmaRels, long? imagesSeen = null)
    {
        ArgumentNullException.ThrowIfNull(sigmaRels);
        return Reconstruct([.. sigmaRels.Select(s => new PostHocEmaTarget(s, imagesSeen))]);
    }

    /// <summary>
    /// Reconstructs a σ_rel sweep and writes each result as a safetensors state dict named
    /// <c>phema-posthoc-{images seen, 9 digits}-{σ_rel, 3 decimals}.safetensors</c> in <paramref name="outputDirectory"/>.
    /// </summary>
    /// <param name="sigmaRels">The widths to reconstruct.</param>
    /// <param name="outputDirectory">Where to write (created when missing).</param>
    /// <param name="imagesSeen">The end time (a snapshot's images seen), or null for the latest snapshot.</param>
    /// <param name="parameterDType">The stored dtype of floating-point tensors; float32 when null.</param>
    /// <returns>The files written, in the order of <paramref name="sigmaRels"/>.</returns>
    public IReadOnlyList<string> SweepToDirectory(IEnumerable<double> sigmaRels, string outputDirectory, long? imagesSeen = null, DType? parameterDType = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        IReadOnlyList<PostHocEmaResult> results = Sweep(sigmaRels, imagesSeen);
        try
        {
            Directory.CreateDirectory(outputDirectory);
            var paths = new List<string>(results.Count);
            foreach (PostHocEmaResult r in results)
            {
                string path = Path.Combine(outputDirectory, string.Create(CultureInfo.InvariantCulture, $"phema-posthoc-{r.ImagesSeen:D9}-{r.SigmaRel:0.000}.safetensors"));
                r.Save(path, parameterDType);
                paths.Add(path);
            }

            return paths;
        }
        finally
        {
            foreach (PostHocEmaResult r in results)
            {
                r.Dispose();
            }
        }
    }

    /// <summary>
    /// Reconstructs several averages in one streaming pass: θ_k = Σ_i X[i,k]·θ_i accumulated in float32 by
    /// <see cref="StateDictArithmetic.WeightedSums"/> (each snapshot up to the latest end time is read once, one tensor
    /// at a time), buffers taken from the latest snapshot up to each target's end time.
    /// </summary>
    /// <param name="targets">The wanted averages (any mix of σ_rel and end times).</param>
    /// <returns>One result per target, in order; the caller disposes them.</returns>
    /// <exception cref="InvalidDataException">The snapshots do not all hold the same tensors (names, shapes and dtypes).</exception>
    public IReadOnlyList<PostHocEmaResult> Reconstruct(IReadOnlyList<PostHocEmaTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        double[,] x = SolveWeights(targets);
        long[] ends = ResolveTimes(targets);
        long lastEnd = ends.Max();
        EmaSnapshotInfo[] used = [.. _snapshots.TakeWhile(s => s.ImagesSeen <= lastEnd)];
        var mergeTargets = new MergeTarget[targets.Count];
        for (int k = 0; k < targets.Count; k++)
        {
            int column = k;
            mergeTargets[k] = new MergeTarget(
                [.. Enumerable.Range(0, used.Length).Select(i => x[i, column])],
                CopyFrom: Array.FindLastIndex(used, s => s.ImagesSeen <= ends[column]));
        }

        var options = new MergeOptions { CopiedKeys = used.SelectMany(static s => s.BufferKeys).ToHashSet(StringComparer.Ordinal) };
        IReadOnlyList<MergedStateDict> merged;
        try
        {
            merged = StateDictArithmetic.WeightedSums([.. used.Select(static s => StateDictSource.FromFile(s.Path))], mergeTargets, options);
        }
        catch (StateDictMismatchException e)
        {
            throw new InvalidDataException($"The snapshots cannot be combined: {e.Message} Post-hoc EMA combines snapshots of one network only.", e);
        }

        var results = new PostHocEmaResult[targets.Count];
        for (int k = 0; k < results.Length; k++)
        {
            var weights = new double[_snapshots.Length];
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] = x[i, k];
            }

            results[k] = new PostHocEmaResult(targets[k].SigmaRel, ends[k], weights, merged[k]);
        }

        return results;
    }

    private long[] ResolveTimes(IReadOnlyList<PostHocEmaTarget> targets)
    {
        if (targets.Count == 0)
        {
            throw new ArgumentException("Give at least one target.", nameof(targets));
        }

        long latest = _snapshots[^1].ImagesSeen;
        var ends = new long[targets.Count];
        for (int k = 0; k < targets.Count; k++)
        {
            PowerFunctionEma.ValidateSigmaRel(targets[k].SigmaRel, $"{nameof(targets)}[{k}].{nameof(PostHocEmaTarget.SigmaRel)}");
            long end = targets[k].ImagesSeen ?? latest;
            if (!_snapshots.Any(s => s.ImagesSeen == end))
            {
                throw new ArgumentOutOfRangeException(nameof(targets), end,
                    $"Target {k} ends at {end} images seen, which is not the time of any stored snapshot (they span {_snapshots[0].ImagesSeen} to {latest}); " +
                    "choose a snapshot time, or null for the latest.");
            }

            ends[k] = end;
        }

        return ends;
    }
}
