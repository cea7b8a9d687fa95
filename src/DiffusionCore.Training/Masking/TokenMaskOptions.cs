namespace DiffusionCore.Training.Masking;

/// <summary>
/// How the patch tokens of masked pre-training are masked (MaskDM, Lei et al. 2023, §3.2; docs/recipes.md §4; the
/// paper's best setting is 4×4-patch blocks at 90 %). Every sample of a batch keeps the same number of tokens, so the
/// kept tokens stack into one dense tensor.
/// </summary>
public sealed class TokenMaskOptions
{
    /// <summary>The mask shape.</summary>
    public TokenMaskKind Kind { get; set; } = TokenMaskKind.Blocks;

    /// <summary>The fraction of tokens masked, in [0, 1) (0 keeps every token; MaskDM: up to 0.9).</summary>
    public double Ratio { get; set; } = 0.9;

    /// <summary>The block side b in tokens for <see cref="TokenMaskKind.Blocks"/>; must divide the token grid side.</summary>
    public int BlockSize { get; set; } = 4;

    /// <summary>The problems with these options for a grid of <paramref name="gridSize"/>² tokens (empty when valid).</summary>
    public IReadOnlyList<string> Problems(int? gridSize = null)
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(Kind)) problems.Add($"Mask kind {Kind} is not one of {string.Join(", ", Enum.GetNames<TokenMaskKind>())}.");
        if (!(Ratio >= 0 && Ratio < 1))
        {
            problems.Add($"Mask ratio is {Ratio.ToString("G", System.Globalization.CultureInfo.InvariantCulture)}: it must lie in [0, 1) " +
                         "(the fraction of tokens masked; at least one token must stay visible; MaskDM uses 0.5–0.9).");
        }

        if (Kind == TokenMaskKind.Blocks)
        {
            if (BlockSize < 1)
            {
                problems.Add($"Mask BlockSize is {BlockSize}: a block is at least 1×1 tokens (MaskDM: 4).");
            }
            else if (gridSize is int g && g % BlockSize != 0)
            {
                problems.Add($"Mask BlockSize {BlockSize} does not divide the {g}×{g} token grid: choose a divisor of {g} " +
                             "(e.g. image 32, patch 4 → grid 8 → blocks of 1, 2, 4 or 8).");
            }
        }

        return problems;
    }

    /// <summary>Throws unless the options are valid for a grid of <paramref name="gridSize"/>² tokens.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it and the fix.</exception>
    public void Validate(int gridSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gridSize, 1);
        IReadOnlyList<string> problems = Problems(gridSize);
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems));
    }
}
