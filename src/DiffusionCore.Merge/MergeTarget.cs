namespace DiffusionCore.Merge;

/// <summary>
/// One result of a weighted sum over the sources: <c>θ = Σ_i Weights[i]·θ_i</c> for combined tensors, and the tensors
/// that are copied rather than combined (integer tensors, <see cref="MergeOptions.CopiedKeys"/>) taken from source
/// <see cref="CopyFrom"/>.
/// </summary>
/// <param name="Weights">One finite weight per source; a source whose weight is 0 in every target is not read.</param>
/// <param name="CopyFrom">The index of the source whose copied tensors the result takes (the first by default).</param>
public sealed record MergeTarget(IReadOnlyList<double> Weights, int CopyFrom = 0);
