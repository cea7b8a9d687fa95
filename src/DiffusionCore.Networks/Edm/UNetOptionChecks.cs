namespace DiffusionCore.Networks.Edm;

/// <summary>Validation shared by <see cref="SongUNetOptions"/> and <see cref="DhariwalUNetOptions"/>.</summary>
internal static class UNetOptionChecks
{
    public static void Common(
        string owner, int imageResolution, int inChannels, int outChannels, int labelDim, int augmentDim, int modelChannels,
        IReadOnlyList<int>? channelMult, int channelMultEmb, int numBlocks, IReadOnlyList<int>? attentionResolutions, double dropout, double labelDropout)
    {
        Positive(owner, nameof(inChannels), inChannels);
        Positive(owner, nameof(outChannels), outChannels);
        Positive(owner, nameof(modelChannels), modelChannels);
        Positive(owner, nameof(channelMultEmb), channelMultEmb);
        if (labelDim < 0 || augmentDim < 0)
        {
            throw new ArgumentException($"{owner}.LabelDim and AugmentDim must be ≥ 0 (0 disables them); got {labelDim} and {augmentDim}.", nameof(labelDim));
        }

        if (numBlocks < 0)
        {
            throw new ArgumentException($"{owner}.NumBlocks must be ≥ 0; got {numBlocks}.", nameof(numBlocks));
        }

        if (channelMult is null || channelMult.Count == 0 || channelMult.Any(m => m < 1))
        {
            throw new ArgumentException(
                $"{owner}.ChannelMult needs one positive multiplier per resolution level, e.g. [2, 2, 2]; got [{(channelMult is null ? "null" : string.Join(", ", channelMult))}].",
                nameof(channelMult));
        }

        ChannelBudget.CheckProducts(owner, modelChannels, channelMult, "ChannelMult");
        ChannelBudget.CheckProducts(owner, modelChannels, [channelMultEmb], "ChannelMultEmb");
        int factor = 1 << (channelMult.Count - 1);
        if (imageResolution < 1 || imageResolution % factor != 0)
        {
            throw new ArgumentException(
                $"{owner}.ImageResolution ({imageResolution}) must be a positive multiple of 2^(levels−1) = {factor} for {channelMult.Count} levels.",
                nameof(imageResolution));
        }

        // An attention resolution that is no level's resolution has no effect, as in the reference.
        ArgumentNullException.ThrowIfNull(attentionResolutions, $"{owner}.AttentionResolutions");
        if (!(dropout >= 0 && dropout <= 1))
        {
            throw new ArgumentException($"{owner}.Dropout must be in [0, 1]; got {dropout}.", nameof(dropout));
        }

        // LabelDropout of an unconditional network (LabelDim 0) has no effect, as in the reference.
        if (!(labelDropout >= 0 && labelDropout <= 1))
        {
            throw new ArgumentException($"{owner}.LabelDropout must be in [0, 1]; got {labelDropout}.", nameof(labelDropout));
        }
    }

    private static void Positive(string owner, string name, int value)
    {
        if (value < 1)
        {
            throw new ArgumentException($"{owner}.{char.ToUpperInvariant(name[0])}{name[1..]} must be positive; got {value}.", name);
        }
    }
}
