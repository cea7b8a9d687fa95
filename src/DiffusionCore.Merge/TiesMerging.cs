using DiffusionCore.Torch;

namespace DiffusionCore.Merge;

/// <summary>
/// TIES merging (Yadav et al. 2023, "TIES-Merging: Resolving Interference When Merging Models", Algorithm 1), one of
/// the merges decouple-then-merge can use (docs/recipes.md §5). With task vectors <c>τ_i = θ_i − θ₀</c>:
/// (1) trim: keep the <see cref="TiesOptions.Density"/> share of each τ_i's entries with the largest magnitude, over the
/// whole state dict (found by bisection on the magnitude; entries tied with the threshold are all kept), zero the rest;
/// (2) elect the sign <c>γ = sign(Σ_i τ̂_i)</c> per entry; (3) disjoint mean: average, per entry, the non-zero trimmed
/// values whose sign agrees with γ (0 where none does); then <c>θ = θ₀ + λ·τ_m</c>. Streaming: the trim pass reads θ₀ and
/// one copy at a time, the merge pass reads one tensor of every source at a time. Copied tensors come from θ₀.
/// </summary>
public static class TiesMerging
{
    private const int BisectionSteps = 64;

    /// <summary>Merges the fine-tuned copies of <paramref name="baseModel"/>.</summary>
    /// <param name="baseModel">The pretrained model θ₀.</param>
    /// <param name="tuned">The fine-tuned copies θ_i (at least one).</param>
    /// <param name="options">Density, scale, copied keys and accumulation dtype.</param>
    /// <returns>The merged state dict; the caller disposes it.</returns>
    /// <exception cref="StateDictMismatchException">A copy does not hold the base's tensors (key, shape or dtype).</exception>
    public static MergedStateDict Merge(StateDictSource baseModel, IReadOnlyList<StateDictSource> tuned, TiesOptions? options = null)
    {
        options ??= new TiesOptions();
        options.Validate();
        TaskMerging.CheckCopies(baseModel, tuned);
        IReadOnlyList<StateDictEntry> layout = StateDictLayout.Check([baseModel, .. tuned]);
        double[] thresholds = [.. tuned.Select(t => TrimThreshold(baseModel, t, layout, options))];
        return Combine(baseModel, tuned, layout, thresholds, options);
    }

    /// <summary>The magnitude threshold that keeps at least ⌈density·n⌉ of the n combined entries of θ_i − θ₀.</summary>
    private static double TrimThreshold(StateDictSource baseModel, StateDictSource tuned, IReadOnlyList<StateDictEntry> layout, TiesOptions options)
    {
        using var scope = new TensorScope();
        using StateDictSource.Reader b = baseModel.Open();
        using StateDictSource.Reader r = tuned.Open();
        var magnitudes = new List<Tensor>();
        foreach (StateDictEntry entry in layout.Where(e => !StateDictArithmetic.IsCopied(e, options.Merge)))
        {
            using var inner = new TensorScope();
            DType acc = options.Merge.AccumulationDType;
            magnitudes.Add((r.Read(entry.Key).To(acc) - b.Read(entry.Key).To(acc)).Abs().Reshape(-1).MoveToOuterScope());
        }

        if (magnitudes.Count == 0) return 0;
        Tensor all = Tensor.Cat(magnitudes, 0);
        long n = all.NumElements;
        long keep = (long)Math.Ceiling(options.Density * n);
        if (keep >= n) return 0;
        double lo = 0, hi = Scalar(all.Max());
        if (Count(all, hi) >= keep) return hi;
        for (int i = 0; i < BisectionSteps; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) break;
            if (Count(all, mid) >= keep) lo = mid;
            else hi = mid;
        }

        return lo;
    }

    private static MergedStateDict Combine(
        StateDictSource baseModel, IReadOnlyList<StateDictSource> tuned, IReadOnlyList<StateDictEntry> layout, double[] thresholds, TiesOptions options)
    {
        var result = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        var readers = new List<StateDictSource.Reader>();
        try
        {
            readers.Add(baseModel.Open());
            readers.AddRange(tuned.Select(static t => t.Open()));
            DType acc = options.Merge.AccumulationDType;
            foreach (StateDictEntry entry in layout)
            {
                using var scope = new TensorScope();
                Tensor theta0 = readers[0].Read(entry.Key);
                if (StateDictArithmetic.IsCopied(entry, options.Merge))
                {
                    result.Add(entry.Key, theta0.Clone().DetachFromScope());
                    continue;
                }

                Tensor baseValue = theta0.To(acc);
                var trimmed = new Tensor[tuned.Count];
                for (int i = 0; i < tuned.Count; i++)
                {
                    Tensor tau = readers[i + 1].Read(entry.Key).To(acc) - baseValue;
                    trimmed[i] = tau * tau.Abs().Ge(thresholds[i]).To(acc);
                }

                Tensor elected = trimmed.Aggregate(static (a, b) => a + b).Sign();
                Tensor sum = baseValue.ZerosLike();
                Tensor count = baseValue.ZerosLike();
                foreach (Tensor t in trimmed)
                {
                    Tensor agrees = t.Sign().Eq(elected).LogicalAnd(t.Ne(0.0)).To(acc);
                    sum = sum + (t * agrees);
                    count = count + agrees;
                }

                result.Add(entry.Key, (baseValue + (sum / count.Clamp(1.0) * options.Scale)).DetachFromScope());
            }

            return new MergedStateDict(result);
        }
        catch
        {
            foreach (Tensor t in result.Values) t.Dispose();
            throw;
        }
        finally
        {
            foreach (StateDictSource.Reader reader in readers) reader.Dispose();
        }
    }

    private static long Count(Tensor magnitudes, double threshold)
    {
        using var scope = new TensorScope();
        return magnitudes.Ge(threshold).Sum().To(DType.Int64).ToArray<long>()[0];
    }

    private static double Scalar(Tensor t)
    {
        using var scope = new TensorScope();
        return t.To(DType.Float64).ToArray<double>()[0];
    }
}
