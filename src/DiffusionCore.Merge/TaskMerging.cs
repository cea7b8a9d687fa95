namespace DiffusionCore.Merge;

/// <summary>
/// Merging fine-tuned copies of one base model back into one model: task arithmetic (Ilharco et al. 2023, §2;
/// decouple-then-merge, Ma et al. 2024; docs/recipes.md §5), the plain average (a model soup, Wortsman et al.
/// 2022) and TIES merging (Yadav et al. 2023, Algorithm 1; <see cref="TiesMerging"/>). All of them stream: sources are
/// read one tensor at a time and safetensors files are memory-mapped only while they are read, for any number of
/// inputs. Mismatched state dicts raise a <see cref="StateDictMismatchException"/> naming the key.
/// </summary>
public static class TaskMerging
{
    /// <summary>
    /// Task arithmetic <c>θ = θ₀ + Σ_i w_i·(θ_i − θ₀)</c>, computed in one pass as the weighted sum
    /// <c>(1 − Σ_i w_i)·θ₀ + Σ_i w_i·θ_i</c>; copied tensors (integers, <see cref="MergeOptions.CopiedKeys"/>) come from θ₀.
    /// </summary>
    /// <param name="baseModel">The pretrained model θ₀.</param>
    /// <param name="tuned">The fine-tuned copies θ_i (at least one).</param>
    /// <param name="weights">One finite weight w_i per copy.</param>
    /// <param name="options">Copied keys and the accumulation dtype.</param>
    /// <returns>The merged state dict; the caller disposes it.</returns>
    /// <exception cref="StateDictMismatchException">A copy does not hold the base's tensors (key, shape or dtype).</exception>
    /// <exception cref="ArgumentException">No copy, a weight count that is not the copy count, or a weight that is not finite.</exception>
    public static MergedStateDict TaskArithmetic(StateDictSource baseModel, IReadOnlyList<StateDictSource> tuned, IReadOnlyList<double> weights, MergeOptions? options = null)
    {
        CheckCopies(baseModel, tuned);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != tuned.Count)
        {
            throw new ArgumentException($"Give one weight per fine-tuned copy: {tuned.Count} copies but {weights.Count} weights.", nameof(weights));
        }

        return StateDictArithmetic.WeightedSum([baseModel, .. tuned], [1.0 - weights.Sum(), .. weights], options);
    }

    /// <summary>The plain average <c>(1/K)·Σ_i θ_i</c> of the copies (task arithmetic with every weight 1/K).</summary>
    /// <inheritdoc cref="TaskArithmetic" path="/exception"/>
    public static MergedStateDict Average(IReadOnlyList<StateDictSource> tuned, MergeOptions? options = null) =>
        StateDictArithmetic.Average(tuned, options);

    internal static void CheckCopies(StateDictSource baseModel, IReadOnlyList<StateDictSource> tuned)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        ArgumentNullException.ThrowIfNull(tuned);
        if (tuned.Count == 0)
        {
            throw new ArgumentException("Give at least one fine-tuned copy to merge.", nameof(tuned));
        }
    }
}
