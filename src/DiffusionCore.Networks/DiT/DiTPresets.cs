namespace DiffusionCore.Networks.DiT;

/// <summary>
/// The model configurations of Peebles &amp; Xie 2023, Table 1 (S, B, L, XL) with patch sizes 2, 4 and 8 (§3.2), for
/// ImageNet 256² through the SD VAE: 32×32×4 latents, 1000 classes, learned Σ, label dropout 0.1.
/// Parameter counts (including the fixed position embedding, which the reference stores as a parameter) are in
/// docs/networks/dit.md and checked by the tests.
/// </summary>
public static class DiTPresets
{
    /// <summary>The patch sizes of the paper (§3.2).</summary>
    public static IReadOnlyList<int> PatchSizes { get; } = [2, 4, 8];

    /// <summary>The options of DiT-<paramref name="size"/>/<paramref name="patchSize"/> (e.g. XL and 2 for DiT-XL/2).</summary>
    /// <param name="size">The model size (Table 1).</param>
    /// <param name="patchSize">Patch side p; the paper uses 2, 4 or 8, any divisor of <paramref name="inputSize"/> is accepted.</param>
    /// <param name="inputSize">Latent side length (32 for 256² images, 64 for 512²).</param>
    /// <param name="inChannels">Latent channels.</param>
    /// <param name="numClasses">Number of classes (0 for unconditional).</param>
    /// <exception cref="ArgumentException">The combination is invalid (see <see cref="DiTOptions.Validate"/>).</exception>
    public static DiTOptions Create(DiTModelSize size, int patchSize, int inputSize = 32, int inChannels = 4, int numClasses = 1000)
    {
        (int depth, int hidden, int heads) = size switch
        {
            DiTModelSize.S => (12, 384, 6),
            DiTModelSize.B => (12, 768, 12),
            DiTModelSize.L => (24, 1024, 16),
            DiTModelSize.XL => (28, 1152, 16),
            _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Unknown DiT model size."),
        };
        var options = new DiTOptions
        {
            InputSize = inputSize,
            PatchSize = patchSize,
            InChannels = inChannels,
            HiddenSize = hidden,
            Depth = depth,
            NumHeads = heads,
            MlpRatio = 4.0,
            NumClasses = numClasses,
            ClassDropoutProbability = 0.1,
            LearnSigma = true,
        };
        options.Validate();
        return options;
    }

    /// <summary>All twelve paper configurations S, B, L, XL × patch 2, 4, 8 with their names ("DiT-XL/2").</summary>
    public static IEnumerable<(string Name, DiTOptions Options)> All()
    {
        foreach (DiTModelSize size in Enum.GetValues<DiTModelSize>())
        {
            foreach (int p in PatchSizes)
            {
                yield return (Name(size, p), Create(size, p));
            }
        }
    }

    /// <summary>The paper's name of a configuration, e.g. "DiT-XL/2".</summary>
    public static string Name(DiTModelSize size, int patchSize) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"DiT-{size}/{patchSize}");
}
