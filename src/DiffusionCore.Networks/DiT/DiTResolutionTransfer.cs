using DiffusionCore.Torch;

namespace DiffusionCore.Networks.DiT;

/// <summary>
/// Resolution transfer of a DiT (Berrada et al. 2024; docs/recipes.md §6, docs/control-conditioning.md): the weights of a
/// network pre-trained at a low resolution are loaded into a network of the same family built for a higher resolution,
/// and the fixed sin-cos position embedding is recomputed for the new grid — spanning the pre-training grid's coordinate
/// range (<see cref="PositionEmbeddingResampling.SpanReferenceGrid"/>, default) or extending the integer positions
/// (<see cref="PositionEmbeddingResampling.IntegerPositions"/>, the naive alternative). Every other tensor is the same
/// shape at any resolution, so it is copied as it is. Pair it with <c>ResolutionShift</c> for the noise levels.
/// </summary>
public static class DiTResolutionTransfer
{
    /// <summary>
    /// Loads the state dict <paramref name="lowResolutionState"/> of a DiT trained on <paramref name="sourceInputSize"/>²
    /// images into <paramref name="target"/> (built for its own, larger or equal, <see cref="DiTOptions.InputSize"/>) and
    /// resamples the target's position embedding. Its <c>pos_embed</c> entry, whatever its shape, is not copied.
    /// </summary>
    /// <exception cref="ArgumentException">The source size is not a positive multiple of the patch size.</exception>
    /// <exception cref="DiffusionCore.Torch.Nn.StateDictLoadException">Another tensor is missing, unexpected or of another shape (a different architecture).</exception>
    public static void Load(
        DiffusionTransformer target, IReadOnlyDictionary<string, Tensor> lowResolutionState, int sourceInputSize,
        PositionEmbeddingResampling resampling = PositionEmbeddingResampling.SpanReferenceGrid)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(lowResolutionState);
        int p = target.Options.PatchSize;
        if (sourceInputSize < p || sourceInputSize % p != 0)
        {
            throw new ArgumentException(
                $"The source resolution {sourceInputSize} must be a positive multiple of the patch size {p} (the grid the checkpoint was trained on).",
                nameof(sourceInputSize));
        }

        target.ResizePositionEmbedding(target.Options.GridSize, resampling, referenceGridSize: sourceInputSize / p);
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string key, Tensor value) in lowResolutionState)
        {
            if (!string.Equals(key, "pos_embed", StringComparison.Ordinal)) state[key] = value;
        }

        state["pos_embed"] = target.PositionEmbeddingParameter;
        target.LoadStateDict(state);
    }
}
