using DiffusionCore.Torch;

namespace DiffusionCore.Networks.DiT;

/// <summary>
/// The fixed 2-D sine-cosine position embedding of DiT (Peebles &amp; Xie 2023, §3.2 "Patchify": "we apply standard ViT
/// frequency-based positional embeddings (the sine-cosine version)"; Vaswani et al. 2017, §3.5). For a token in row r
/// and column c of the grid, channels [0, D/2) encode the column (x) coordinate and [D/2, D) the row (y) coordinate;
/// each half is [sin(pos·ω_k), cos(pos·ω_k)] with ω_k = 10000^(−k/(D/4)), k = 0 … D/4 − 1. Tokens are numbered row
/// by row (index r·G + c). Values are computed in float64 and then converted, like the reference's NumPy code.
/// </summary>
public static class SinCosPositionEmbedding
{
    /// <summary>
    /// The embedding of a <paramref name="gridSize"/>×<paramref name="gridSize"/> grid whose token (r, c) sits at
    /// coordinates (c·<paramref name="coordinateScale"/>, r·<paramref name="coordinateScale"/>): shape [G², D].
    /// Scale 1 gives DiT's integer positions; see <see cref="CoordinateScale"/> for resampling to a reference grid.
    /// </summary>
    /// <param name="embedDim">D, a positive multiple of 4.</param>
    /// <param name="gridSize">Tokens per side G.</param>
    /// <param name="coordinateScale">Distance between neighbouring tokens in position units (1 = DiT).</param>
    /// <param name="dtype">Result dtype (float32 by default).</param>
    /// <param name="device">Result device (CPU by default; <see cref="Device.Meta"/> gives a shape-only tensor).</param>
    /// <exception cref="ArgumentException">D is not a positive multiple of 4, G is not positive, or the scale is not positive and finite.</exception>
    public static Tensor Create2D(int embedDim, int gridSize, double coordinateScale = 1.0, DType dtype = DType.Float32, Device? device = null)
    {
        if (embedDim < 4 || embedDim % 4 != 0)
        {
            throw new ArgumentException($"The 2-D sin-cos embedding needs a width that is a positive multiple of 4; got {embedDim}.", nameof(embedDim));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(gridSize, 1);
        if (!(coordinateScale > 0) || double.IsInfinity(coordinateScale))
        {
            throw new ArgumentException($"The coordinate scale must be positive and finite; got {coordinateScale}.", nameof(coordinateScale));
        }

        using var scope = new TensorScope();
        Tensor positions = Tensor.Arange(0, gridSize, 1, DType.Float64, device).Mul(coordinateScale);        // [G]
        Tensor columns = positions.Unsqueeze(0).Expand(gridSize, gridSize).Reshape(-1);                      // x of token r·G + c
        Tensor rows = positions.Unsqueeze(1).Expand(gridSize, gridSize).Reshape(-1);                         // y of token r·G + c
        Tensor embedding = Tensor.Cat([Create1D(embedDim / 2, columns), Create1D(embedDim / 2, rows)], 1);
        return embedding.To(dtype).MoveToOuterScope();
    }

    /// <summary>
    /// The 1-D embedding [sin(pos·ω_k), cos(pos·ω_k)], ω_k = 10000^(−k/(D/2)), of float positions [M]: shape [M, D],
    /// in the dtype and on the device of <paramref name="positions"/>.
    /// </summary>
    /// <exception cref="ArgumentException">D is not a positive even number or the positions are not 1-D.</exception>
    public static Tensor Create1D(int embedDim, Tensor positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (embedDim < 2 || embedDim % 2 != 0)
        {
            throw new ArgumentException($"The 1-D sin-cos embedding needs a positive even width; got {embedDim}.", nameof(embedDim));
        }

        if (positions.Dim != 1)
        {
            throw new ArgumentException($"Positions must be 1-D [M]; got shape [{string.Join(", ", positions.Shape)}].", nameof(positions));
        }

        using var scope = new TensorScope();
        int half = embedDim / 2;
        Tensor omega = Tensor.Arange(0, half, 1, positions.DType, positions.Device).Div((double)half).RPow(10000.0).Reciprocal(); // [D/2]
        Tensor angles = positions.Unsqueeze(1).Mul(omega.Unsqueeze(0));                                                        // [M, D/2]
        return Tensor.Cat([angles.Sin(), angles.Cos()], 1).MoveToOuterScope();
    }

    /// <summary>
    /// The token spacing that makes a <paramref name="gridSize"/> grid span the same coordinate range as the
    /// <paramref name="referenceGridSize"/> grid the model was trained on (Berrada et al. 2024, "resolution transfer";
    /// the PixArt-α convention): reference / grid, so token j sits at j·G_ref/G and the grid covers [0, G_ref).
    /// </summary>
    public static double CoordinateScale(int gridSize, int referenceGridSize, PositionEmbeddingResampling resampling)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gridSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(referenceGridSize, 1);
        return resampling switch
        {
            PositionEmbeddingResampling.IntegerPositions => 1.0,
            PositionEmbeddingResampling.SpanReferenceGrid => (double)referenceGridSize / gridSize,
            _ => throw new ArgumentOutOfRangeException(nameof(resampling), resampling, "Unknown position-embedding resampling."),
        };
    }
}
