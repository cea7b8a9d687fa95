using DiffusionCore.Torch;

namespace DiffusionCore.Training.Masking;

/// <summary>
/// Draws the kept tokens of masked pre-training (MaskDM, Lei et al. 2023, §3.2; docs/recipes.md §4) and turns them into
/// element masks. Tokens are numbered row by row on a G×G grid (t = row·G + column). The uniform draws come from one
/// generator (the trainer passes the step's <see cref="TrainingStep.Mask"/> stream, so a resumed run draws the same
/// masks); only their ranking is done on the host.
/// </summary>
public static class TokenMasks
{
    private const double Tolerance = 1e-9;

    /// <summary>The number of tokens every sample keeps on a <paramref name="gridSize"/>² grid.</summary>
    /// <exception cref="ArgumentException">The options are invalid for the grid.</exception>
    public static int KeptCount(TokenMaskOptions options, int gridSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(gridSize);
        int tokens = gridSize * gridSize;
        switch (options.Kind)
        {
            case TokenMaskKind.RandomPatches:
                return tokens - (int)Math.Floor((options.Ratio * tokens) + Tolerance);
            case TokenMaskKind.Blocks:
                int blocks = tokens / (options.BlockSize * options.BlockSize);
                return (blocks - (int)Math.Floor((options.Ratio * blocks) + Tolerance)) * options.BlockSize * options.BlockSize;
            default:
                int side = WindowSide(options.Ratio, gridSize);
                return side * side;
        }
    }

    /// <summary>
    /// Draws the kept token indices of <paramref name="batchSize"/> samples: int64 <c>[B, K]</c>, each row ascending and
    /// distinct, K = <see cref="KeptCount"/>, on <paramref name="device"/> (the generator's device when null).
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid for the grid.</exception>
    public static Tensor Draw(TokenMaskOptions options, int batchSize, int gridSize, Generator generator, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int kept = KeptCount(options, gridSize);
        var indices = new long[(long)batchSize * kept];
        switch (options.Kind)
        {
            case TokenMaskKind.RandomPatches:
                FillRanked(indices, batchSize, gridSize * gridSize, kept, 1, gridSize, generator);
                break;
            case TokenMaskKind.Blocks:
                int b = options.BlockSize;
                FillRanked(indices, batchSize, (gridSize / b) * (gridSize / b), kept / (b * b), b, gridSize, generator);
                break;
            default:
                FillWindows(indices, batchSize, WindowSide(options.Ratio, gridSize), gridSize, generator);
                break;
        }

        using var scope = new TensorScope();
        return Tensor.FromArray(indices, batchSize, kept).To(device ?? generator.Device).MoveToOuterScope();
    }

    /// <summary>
    /// The element mask of kept tokens <c>[B, K]</c> on a <paramref name="gridSize"/>² grid of
    /// <paramref name="patchSize"/>² patches: float32 <c>[B, 1, G·p, G·p]</c>, 1 on the pixels of kept patches and 0
    /// elsewhere, for the <c>mask</c> argument of <see cref="Losses.ITrainingLoss.Compute"/> (loss over visible pixels only).
    /// </summary>
    public static Tensor ElementMask(Tensor keptTokens, int gridSize, int patchSize)
    {
        ArgumentNullException.ThrowIfNull(keptTokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(gridSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(patchSize, 1);
        if (keptTokens.DType != DType.Int64 || keptTokens.Dim != 2)
        {
            throw new ArgumentException($"Kept token indices must be int64 [B, K]; got {keptTokens.DType} [{string.Join(", ", keptTokens.Shape)}].", nameof(keptTokens));
        }

        using var scope = new TensorScope();
        long b = keptTokens.Size(0);
        Tensor ones = Tensor.Ones(keptTokens.Shape, DType.Float32, keptTokens.Device);
        Tensor tokens = Tensor.Zeros([b, (long)gridSize * gridSize], DType.Float32, keptTokens.Device).Scatter(1, keptTokens, ones);
        return tokens.Reshape(b, gridSize, 1, gridSize, 1)
            .Expand(b, gridSize, patchSize, gridSize, patchSize)
            .Reshape(b, 1, (long)gridSize * patchSize, (long)gridSize * patchSize)
            .MoveToOuterScope();
    }

    private static int WindowSide(double ratio, int gridSize) =>
        Math.Max(1, (int)Math.Floor((gridSize * Math.Sqrt(1 - ratio)) + Tolerance));

    /// <summary>Per sample: the <paramref name="keep"/> units (tokens or b×b blocks) of lowest uniform key, expanded to tokens and sorted.</summary>
    private static void FillRanked(long[] indices, int batchSize, int units, int keep, int blockSize, int gridSize, Generator generator)
    {
        float[] keys = Uniform([batchSize, units], generator);
        int blocksPerRow = gridSize / blockSize;
        int perSample = keep * blockSize * blockSize;
        var order = new int[units];
        var rowKeys = new float[units];
        for (int s = 0; s < batchSize; s++)
        {
            for (int u = 0; u < units; u++) order[u] = u;
            Array.Copy(keys, (long)s * units, rowKeys, 0, units);
            Array.Sort(rowKeys, order);
            Span<long> row = indices.AsSpan(s * perSample, perSample);
            int n = 0;
            foreach (int unit in order.AsSpan(0, keep))
            {
                int top = unit / blocksPerRow * blockSize, left = unit % blocksPerRow * blockSize;
                for (int i = 0; i < blockSize; i++)
                {
                    for (int j = 0; j < blockSize; j++) row[n++] = ((long)(top + i) * gridSize) + left + j;
                }
            }

            row.Sort();
        }
    }

    private static void FillWindows(long[] indices, int batchSize, int side, int gridSize, Generator generator)
    {
        float[] keys = Uniform([batchSize, 2], generator);
        int positions = gridSize - side + 1;
        int perSample = side * side;
        for (int s = 0; s < batchSize; s++)
        {
            int top = Math.Min(positions - 1, (int)(keys[2 * s] * positions));
            int left = Math.Min(positions - 1, (int)(keys[(2 * s) + 1] * positions));
            int n = s * perSample;
            for (int i = 0; i < side; i++)
            {
                for (int j = 0; j < side; j++) indices[n++] = ((long)(top + i) * gridSize) + left + j;
            }
        }
    }

    private static float[] Uniform(long[] shape, Generator generator)
    {
        using var scope = new TensorScope();
        return Tensor.Rand(shape, generator, DType.Float32, generator.Device).To(Device.Cpu).ToArray<float>();
    }
}
