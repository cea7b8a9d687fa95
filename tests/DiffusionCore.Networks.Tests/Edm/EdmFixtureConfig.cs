using System.Text.Json;
using DiffusionCore.Denoisers;
using DiffusionCore.Networks.Edm;

namespace DiffusionCore.Networks.Tests.Edm;

/// <summary>
/// Maps an EDM fixture's <c>config</c> to typed options: the arguments of NVlabs/edm's preconditioner (<c>precond</c>:
/// EDMPrecond when absent, VPPrecond, VEPrecond, or <c>raw</c> for the bare network) and of <c>SongUNet</c> or
/// <c>DhariwalUNet</c>. Missing arguments take DiffusionCore's defaults; an argument without an option fails.
/// </summary>
internal static class EdmFixtureConfig
{
    /// <summary>The preconditioning of the fixture's wrapper, or null for a bare network (<c>precond: raw</c>).</summary>
    public static Preconditioning? Preconditioning(JsonElement config) =>
        (config.TryGetProperty("precond", out JsonElement p) ? p.GetString() : "EDMPrecond") switch
        {
            "EDMPrecond" => new EdmPreconditioning(),
            "VPPrecond" => new VpPreconditioning(),
            "VEPrecond" => new VePreconditioning(),
            "raw" => null,
            var other => throw new InvalidOperationException($"Unknown EDM preconditioner '{other}' in a fixture config."),
        };

    public static SongUNetOptions SongUNet(JsonElement config)
    {
        var r = Reader(config, "SongUNet");
        var d = new SongUNetOptions();
        (int inChannels, int outChannels) = Channels(r, d.InChannels, d.OutChannels);
        var options = new SongUNetOptions
        {
            ImageResolution = r.Int("img_resolution", d.ImageResolution),
            InChannels = inChannels,
            OutChannels = outChannels,
            LabelDim = r.Int("label_dim", d.LabelDim),
            AugmentDim = r.Int("augment_dim", d.AugmentDim),
            ModelChannels = r.Int("model_channels", d.ModelChannels),
            ChannelMult = r.Ints("channel_mult", d.ChannelMult),
            ChannelMultEmb = r.Int("channel_mult_emb", d.ChannelMultEmb),
            NumBlocks = r.Int("num_blocks", d.NumBlocks),
            AttentionResolutions = r.Ints("attn_resolutions", d.AttentionResolutions),
            Dropout = r.Double("dropout", d.Dropout),
            LabelDropout = r.Double("label_dropout", d.LabelDropout),
            EmbeddingType = r.String("embedding_type", "positional") switch
            {
                "positional" => EmbeddingType.Positional,
                "fourier" => EmbeddingType.Fourier,
                var s => throw new InvalidOperationException($"unknown embedding_type '{s}'"),
            },
            ChannelMultNoise = r.Int("channel_mult_noise", d.ChannelMultNoise),
            EncoderType = r.String("encoder_type", "standard") switch
            {
                "standard" => EncoderType.Standard,
                "skip" => EncoderType.Skip,
                "residual" => EncoderType.Residual,
                var s => throw new InvalidOperationException($"unknown encoder_type '{s}'"),
            },
            DecoderType = r.String("decoder_type", "standard") switch
            {
                "standard" => DecoderType.Standard,
                "skip" => DecoderType.Skip,
                var s => throw new InvalidOperationException($"unknown decoder_type '{s}'"),
            },
            ResampleFilter = r.Has("resample_filter") ? new ResampleFilter(r.Doubles("resample_filter", [])) : d.ResampleFilter,
        };
        r.EnsureAllRead();
        return options;
    }

    public static DhariwalUNetOptions DhariwalUNet(JsonElement config)
    {
        var r = Reader(config, "DhariwalUNet");
        var d = new DhariwalUNetOptions();
        (int inChannels, int outChannels) = Channels(r, d.InChannels, d.OutChannels);
        var options = new DhariwalUNetOptions
        {
            ImageResolution = r.Int("img_resolution", d.ImageResolution),
            InChannels = inChannels,
            OutChannels = outChannels,
            LabelDim = r.Int("label_dim", d.LabelDim),
            AugmentDim = r.Int("augment_dim", d.AugmentDim),
            ModelChannels = r.Int("model_channels", d.ModelChannels),
            ChannelMult = r.Ints("channel_mult", d.ChannelMult),
            ChannelMultEmb = r.Int("channel_mult_emb", d.ChannelMultEmb),
            NumBlocks = r.Int("num_blocks", d.NumBlocks),
            AttentionResolutions = r.Ints("attn_resolutions", d.AttentionResolutions),
            ChannelsPerHead = r.Int("channels_per_head", d.ChannelsPerHead),
            Dropout = r.Double("dropout", d.Dropout),
            LabelDropout = r.Double("label_dropout", d.LabelDropout),
        };
        r.EnsureAllRead();
        return options;
    }

    private static ReferenceConfigReader Reader(JsonElement config, string modelType)
    {
        var r = new ReferenceConfigReader(config);
        r.String("model_type", modelType).Should().Be(modelType);
        r.String("precond", "EDMPrecond");
        return r;
    }

    // The preconditioners pass img_channels as both; the bare networks take in_channels and out_channels.
    private static (int In, int Out) Channels(ReferenceConfigReader r, int defaultIn, int defaultOut) =>
        r.Has("img_channels")
            ? (r.Int("img_channels", defaultIn), r.Int("img_channels", defaultOut))
            : (r.Int("in_channels", defaultIn), r.Int("out_channels", defaultOut));
}
