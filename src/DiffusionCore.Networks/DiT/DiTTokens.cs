using DiffusionCore.Torch;

namespace DiffusionCore.Networks.DiT;

/// <summary>
/// The token layout of DiT's output (Peebles &amp; Xie 2023, §3.2 "Transformer decoder", unpatchify): token
/// t = r·(W/p) + c holds the p×p×C patch whose top-left pixel is (r·p, c·p), flattened in (row-in-patch,
/// column-in-patch, channel) order, i.e. element (i·p + j)·C + ch is pixel (r·p + i, c·p + j) of channel ch.
/// These helpers convert between images and tokens and select tokens, so a masked loss (MaskDM, Lei et al. 2023)
/// can compare <see cref="DiffusionTransformer.Forward(Tensor, Tensor, Tensor?, Tensor, Generator?)"/> with the target's patches.
/// </summary>
public static class DiTTokens
{
    /// <summary>Splits images [B, C, H, W] into tokens [B, (H/p)(W/p), p²·C] in the layout above (the inverse of <see cref="Unpatchify"/>).</summary>
    /// <exception cref="ArgumentException">The image is not 4-D or H, W are not multiples of p.</exception>
    public static Tensor Patchify(Tensor images, int patchSize)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(patchSize, 1);
        (long b, long c, long h, long w) = ImageShape(images, patchSize, nameof(images));
        using var scope = new TensorScope();
        return images.Reshape(b, c, h, patchSize, w, patchSize)
            .Permute(0, 2, 4, 3, 5, 1)
            .Reshape(b, h * w, (long)patchSize * patchSize * c)
            .MoveToOuterScope();
    }

    /// <summary>
    /// Reassembles tokens [B, T, p²·C] of a <paramref name="gridHeight"/>×<paramref name="gridWidth"/> grid into images
    /// [B, C, gridHeight·p, gridWidth·p] (the reference's <c>unpatchify</c>: "nhwpqc → nchpwq").
    /// </summary>
    /// <exception cref="ArgumentException">The token shape does not fit the grid and patch size.</exception>
    public static Tensor Unpatchify(Tensor tokens, int patchSize, int gridHeight, int gridWidth)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(patchSize, 1);
        long[] s = tokens.Shape;
        long p2 = (long)patchSize * patchSize;
        if (s.Length != 3 || s[1] != (long)gridHeight * gridWidth || s[2] % p2 != 0)
        {
            throw new ArgumentException(
                $"Tokens of shape [{string.Join(", ", s)}] do not fit a {gridHeight}×{gridWidth} grid of {patchSize}×{patchSize} patches: " +
                $"expected [B, {(long)gridHeight * gridWidth}, {p2}·C].", nameof(tokens));
        }

        long c = s[2] / p2;
        using var scope = new TensorScope();
        return tokens.Reshape(s[0], gridHeight, gridWidth, patchSize, patchSize, c)
            .Permute(0, 5, 1, 3, 2, 4)
            .Reshape(s[0], c, (long)gridHeight * patchSize, (long)gridWidth * patchSize)
            .MoveToOuterScope();
    }

    /// <summary>
    /// The tokens at int64 indices <paramref name="keptTokens"/> [B, K] of each sample: [B, T, E] → [B, K, E]
    /// (a differentiable gather along dimension 1).
    /// </summary>
    /// <exception cref="ArgumentException">The indices are not int64 [B, K] with 1 ≤ K, or an index is outside [0, T).</exception>
    public static Tensor Gather(Tensor tokens, Tensor keptTokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Dim != 3)
        {
            throw new ArgumentException($"Tokens must be [B, T, E]; got shape [{string.Join(", ", tokens.Shape)}].", nameof(tokens));
        }

        ValidateKeptTokens(keptTokens, tokens.Size(0), tokens.Size(1));
        using var scope = new TensorScope();
        Tensor index = keptTokens.Unsqueeze(2).Expand(keptTokens.Size(0), keptTokens.Size(1), tokens.Size(2));
        return tokens.Gather(1, index).MoveToOuterScope();
    }

    /// <summary>
    /// The inverse of <see cref="Gather"/>: tokens [B, K, E] at int64 indices <paramref name="keptTokens"/> [B, K] placed
    /// into a [B, <paramref name="numTokens"/>, E] tensor that is zero at every other token (differentiable in the tokens).
    /// Indices must be distinct within a sample.
    /// </summary>
    /// <exception cref="ArgumentException">The tokens are not [B, K, E] matching the indices, or an index is outside [0, T).</exception>
    public static Tensor Scatter(Tensor tokens, Tensor keptTokens, long numTokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Dim != 3)
        {
            throw new ArgumentException($"Tokens must be [B, K, E]; got shape [{string.Join(", ", tokens.Shape)}].", nameof(tokens));
        }

        ValidateKeptTokens(keptTokens, tokens.Size(0), numTokens);
        if (keptTokens.Size(1) != tokens.Size(1))
        {
            throw new ArgumentException(
                $"There are {tokens.Size(1)} tokens per sample but {keptTokens.Size(1)} kept indices; they must match.", nameof(keptTokens));
        }

        using var scope = new TensorScope();
        Tensor index = keptTokens.Unsqueeze(2).Expand(tokens.Size(0), tokens.Size(1), tokens.Size(2));
        Tensor zeros = Tensor.Zeros([tokens.Size(0), numTokens, tokens.Size(2)], tokens.DType, tokens.Device);
        return zeros.Scatter(1, index, tokens).MoveToOuterScope();
    }

    /// <summary>
    /// Channels [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of every patch of tokens
    /// [B, T, p²·C]: [B, T, p²·count] in the same layout. With learned Σ (C = 2C_in), <c>NarrowChannels(out, p, 2C_in, 0, C_in)</c>
    /// is the ε prediction and <c>NarrowChannels(out, p, 2C_in, C_in, C_in)</c> the variance output.
    /// </summary>
    /// <exception cref="ArgumentException">The last dimension is not p²·<paramref name="channels"/> or the range is outside it.</exception>
    public static Tensor NarrowChannels(Tensor tokens, int patchSize, int channels, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        long p2 = (long)patchSize * patchSize;
        long[] s = tokens.Shape;
        if (s.Length != 3 || s[2] != p2 * channels)
        {
            throw new ArgumentException(
                $"Tokens of shape [{string.Join(", ", s)}] are not [B, T, {p2}·{channels}] for {patchSize}×{patchSize} patches of {channels} channels.", nameof(tokens));
        }

        if (start < 0 || count < 1 || start + count > channels)
        {
            throw new ArgumentException($"Channel range [{start}, {start + count}) is outside [0, {channels}).", nameof(start));
        }

        using var scope = new TensorScope();
        return tokens.Reshape(s[0], s[1], p2, channels).Narrow(3, start, count).Reshape(s[0], s[1], p2 * count).MoveToOuterScope();
    }

    /// <summary>Checks kept-token indices: int64 [B, K], 1 ≤ K, every index in [0, T) (values are checked except on the meta device).</summary>
    internal static void ValidateKeptTokens(Tensor keptTokens, long batch, long numTokens)
    {
        ArgumentNullException.ThrowIfNull(keptTokens);
        long[] s = keptTokens.Shape;
        if (keptTokens.DType != DType.Int64 || s.Length != 2 || s[0] != batch || s[1] < 1)
        {
            throw new ArgumentException(
                $"Kept token indices must be int64 [B = {batch}, K ≥ 1]; got {keptTokens.DType} [{string.Join(", ", s)}].", nameof(keptTokens));
        }

        if (keptTokens.Device.Type == DeviceType.Meta)
        {
            return;
        }

        using var scope = new TensorScope();
        long min = keptTokens.Min().ToInt64();
        long max = keptTokens.Max().ToInt64();
        if (min < 0 || max >= numTokens)
        {
            throw new ArgumentException(
                $"Kept token indices must lie in [0, {numTokens}) (the tokens of the patch grid); got values in [{min}, {max}].", nameof(keptTokens));
        }
    }

    private static (long B, long C, long H, long W) ImageShape(Tensor images, int patchSize, string paramName)
    {
        long[] s = images.Shape;
        if (s.Length != 4)
        {
            throw new ArgumentException($"Images must be [B, C, H, W]; got shape [{string.Join(", ", s)}].", paramName);
        }

        if (s[2] % patchSize != 0 || s[3] % patchSize != 0)
        {
            throw new ArgumentException(
                $"Image size {s[2]}×{s[3]} is not divisible by the patch size {patchSize}: DiT splits the image into whole {patchSize}×{patchSize} patches.", paramName);
        }

        return (s[0], s[1], s[2] / patchSize, s[3] / patchSize);
    }
}
