namespace DiffusionCore.Networks.DiT;

/// <summary>How <see cref="DiffusionTransformer.ResizePositionEmbedding"/> places the tokens of a new grid.</summary>
public enum PositionEmbeddingResampling
{
    /// <summary>
    /// Integer positions 0 … G−1, exactly what a DiT built for that grid would use (Peebles &amp; Xie 2023, §3.2): a larger
    /// grid reaches positions never seen in training.
    /// </summary>
    IntegerPositions,

    /// <summary>
    /// Positions j·G_ref/G, so a grid of any size spans the coordinate range [0, G_ref) of the grid the model was built for
    /// (Berrada et al. 2024, "resolution transfer"; docs/recipes.md §6): a larger grid interpolates between trained positions.
    /// </summary>
    SpanReferenceGrid,
}
