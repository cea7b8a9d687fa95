using DiffusionCore.Torch;

namespace DiffusionCore.Merge;

/// <summary>
/// Arithmetic over state dicts of one architecture (model soups, Wortsman et al. 2022; task arithmetic, Ilharco et al.
/// 2023; decouple-then-merge, θ₀ + Σ wᵢ(θᵢ − θ₀); post-hoc EMA, Karras et al. 2024, §3): every result is a weighted sum
/// <c>θ = Σ_i w_i·θ_i</c> of the sources, tensor by tensor. The sources are read one after the other, each once and one
/// tensor at a time (a file is memory-mapped while it is read and closed right after), so combining K checkpoints
/// holds about one model per result plus one tensor, whatever K. Before anything is read every source's keys, shapes
/// and dtypes are checked against the first's (<see cref="StateDictMismatchException"/>). Floating-point tensors are
/// combined in <see cref="MergeOptions.AccumulationDType"/>, starting from zeros and adding <c>w_i·θ_i</c> in source
/// order (sources of weight 0 are skipped); integer tensors and <see cref="MergeOptions.CopiedKeys"/> are copied from
/// <see cref="MergeTarget.CopyFrom"/>.
/// </summary>
public static class StateDictArithmetic
{
    /// <summary><c>θ = Σ_i weights[i]·θ_i</c>.</summary>
    /// <param name="sources">The state dicts (at least one).</param>
    /// <param name="weights">One finite weight per source.</param>
    /// <param name="options">Copied keys and the accumulation dtype.</param>
    /// <returns>The result; the caller disposes it.</returns>
    /// <exception cref="StateDictMismatchException">The sources do not hold the same tensors.</exception>
    public static MergedStateDict WeightedSum(IReadOnlyList<StateDictSource> sources, IReadOnlyList<double> weights, MergeOptions? options = null) =>
        WeightedSums(sources, [new MergeTarget(weights)], options)[0];

    /// <summary>The uniform average <c>θ = (1/K)·Σ_i θ_i</c> (a model soup).</summary>
    /// <inheritdoc cref="WeightedSum" path="/exception"/>
    public static MergedStateDict Average(IReadOnlyList<StateDictSource> sources, MergeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return WeightedSum(sources, [.. Enumerable.Repeat(1.0 / Math.Max(1, sources.Count), sources.Count)], options);
    }

    /// <summary>The task vector <c>τ = θ_tuned − θ_base</c> (Ilharco et al. 2023, Eq. 1).</summary>
    /// <inheritdoc cref="WeightedSum" path="/exception"/>
    public static MergedStateDict TaskVector(StateDictSource tuned, StateDictSource baseModel, MergeOptions? options = null) =>
        WeightedSum([tuned, baseModel], [1.0, -1.0], options);

    /// <summary>
    /// <c>θ = θ_base + Σ_i scales[i]·τ_i</c>: task vectors added to a base (Ilharco et al. 2023, §2; with
    /// <c>τ_i = θ_i − θ_0</c> this is decouple-then-merge's θ₀ + Σ wᵢ(θᵢ − θ₀)). Copied tensors come from the base.
    /// </summary>
    /// <inheritdoc cref="WeightedSum" path="/exception"/>
    public static MergedStateDict AddTaskVectors(StateDictSource baseModel, IReadOnlyList<StateDictSource> taskVectors, IReadOnlyList<double> scales, MergeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        ArgumentNullException.ThrowIfNull(taskVectors);
        ArgumentNullException.ThrowIfNull(scales);
        if (scales.Count != taskVectors.Count)
        {
            throw new ArgumentException($"Give one scale per task vector: {taskVectors.Count} task vectors but {scales.Count} scales.", nameof(scales));
        }

        return WeightedSum([baseModel, .. taskVectors], [1.0, .. scales], options);
    }

    /// <summary>Several weighted sums of the same sources in one pass (each source is read once for all of them).</summary>
    /// <param name="sources">The state dicts (at least one).</param>
    /// <param name="targets">The results wanted: one weight per source each, and the source of copied tensors.</param>
    /// <param name="options">Copied keys and the accumulation dtype.</param>
    /// <returns>One result per target, in order; the caller disposes them.</returns>
    /// <exception cref="StateDictMismatchException">The sources do not hold the same tensors.</exception>
    /// <exception cref="ArgumentException">No source or target, a weight count that is not the source count, a weight that is not finite, or a copy source out of range.</exception>
    public static IReadOnlyList<MergedStateDict> WeightedSums(IReadOnlyList<StateDictSource> sources, IReadOnlyList<MergeTarget> targets, MergeOptions? options = null)
    {
        options ??= new MergeOptions();
        options.Validate();
        CheckArguments(sources, targets);
        IReadOnlyList<StateDictEntry> layout = StateDictLayout.Check(sources);
        var sums = new Dictionary<string, Tensor>[targets.Count];
        for (int k = 0; k < sums.Length; k++)
        {
            sums[k] = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        }

        try
        {
            for (int i = 0; i < sources.Count; i++)
            {
                Accumulate(sources[i], i, layout, targets, options, sums);
            }

            return [.. sums.Select(s => Finish(s, layout, options))];
        }
        catch
        {
            foreach (Tensor t in sums.SelectMany(static s => s.Values))
            {
                t.Dispose();
            }

            throw;
        }
    }

    /// <summary>Adds source <paramref name="i"/>'s share to every result: one tensor at a time, then the file is closed.</summary>
    private static void Accumulate(
        StateDictSource source, int i, IReadOnlyList<StateDictEntry> layout, IReadOnlyList<MergeTarget> targets, MergeOptions options, Dictionary<string, Tensor>[] sums)
    {
        bool weighted = targets.Any(t => t.Weights[i] != 0);
        bool copiedFrom = targets.Any(t => t.CopyFrom == i);
        if (!weighted && !copiedFrom)
        {
            return;
        }

        using StateDictSource.Reader reader = source.Open();
        foreach (StateDictEntry entry in layout)
        {
            bool copied = IsCopied(entry, options);
            if (copied ? !copiedFrom : !weighted)
            {
                continue;
            }

            using var scope = new TensorScope();
            Tensor stored = reader.Read(entry.Key);
            if (copied)
            {
                for (int k = 0; k < targets.Count; k++)
                {
                    if (targets[k].CopyFrom == i)
                    {
                        sums[k][entry.Key] = stored.Clone().DetachFromScope();
                    }
                }

                continue;
            }

            Tensor value = stored.To(options.AccumulationDType);
            for (int k = 0; k < targets.Count; k++)
            {
                double w = targets[k].Weights[i];
                if (w == 0)
                {
                    continue;
                }

                if (!sums[k].TryGetValue(entry.Key, out Tensor? sum))
                {
                    sum = Tensor.Zeros([.. entry.Shape], options.AccumulationDType, value.Device).DetachFromScope();
                    sums[k].Add(entry.Key, sum);
                }

                sum.AddInPlace(value, w);
            }
        }
    }

    /// <summary>The result in the first source's key order; a combined tensor whose weights are all 0 is zeros.</summary>
    private static MergedStateDict Finish(Dictionary<string, Tensor> sum, IReadOnlyList<StateDictEntry> layout, MergeOptions options)
    {
        var ordered = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (StateDictEntry entry in layout)
        {
            ordered.Add(entry.Key, sum.TryGetValue(entry.Key, out Tensor? t) ? t : ZerosFor(entry, options));
        }

        sum.Clear();
        return new MergedStateDict(ordered);
    }

    private static Tensor ZerosFor(StateDictEntry entry, MergeOptions options)
    {
        using var scope = new TensorScope();
        return Tensor.Zeros([.. entry.Shape], options.AccumulationDType).DetachFromScope();
    }

    internal static bool IsCopied(StateDictEntry entry, MergeOptions options) =>
        !entry.DType.IsFloatingPoint() || options.CopiedKeys.Contains(entry.Key);

    private static void CheckArguments(IReadOnlyList<StateDictSource> sources, IReadOnlyList<MergeTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(targets);
        if (sources.Count == 0)
        {
            throw new ArgumentException("Give at least one state dict to combine.", nameof(sources));
        }

        if (targets.Count == 0)
        {
            throw new ArgumentException("Give at least one target (a weight per source).", nameof(targets));
        }

        for (int k = 0; k < targets.Count; k++)
        {
            MergeTarget target = targets[k] ?? throw new ArgumentException($"Target {k} is null.", nameof(targets));
            ArgumentNullException.ThrowIfNull(target.Weights, $"{nameof(targets)}[{k}].{nameof(MergeTarget.Weights)}");
            if (target.Weights.Count != sources.Count)
            {
                throw new ArgumentException($"Target {k} has {target.Weights.Count} weights for {sources.Count} sources; give one weight per source.", nameof(targets));
            }

            int bad = target.Weights.ToList().FindIndex(static w => !double.IsFinite(w));
            if (bad >= 0)
            {
                throw new ArgumentException($"Target {k} gives source {bad} ('{sources[bad].Name}') the weight {target.Weights[bad]}; weights must be finite.", nameof(targets));
            }

            if (target.CopyFrom < 0 || target.CopyFrom >= sources.Count)
            {
                throw new ArgumentException($"Target {k} copies from source {target.CopyFrom}, but there are {sources.Count} sources (0 to {sources.Count - 1}).", nameof(targets));
            }
        }
    }
}
