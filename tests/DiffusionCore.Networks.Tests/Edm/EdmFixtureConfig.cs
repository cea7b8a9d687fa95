using System.Text.Json;
using DiffusionCore.Networks.Edm;

namespace DiffusionCore.Networks.Tests.Edm;

/// <summary>Maps an EDM fixture's <c>config</c> (the reference EDMPrecond arguments) to typed options.</summary>
internal static class EdmFixtureConfig
{
    public static SongUNetOptions SongUNet(JsonElement config)
    {
        config.GetProperty("model_type").GetString().Should().Be("SongUNet");
        return new SongUNetOptions
        {
            ImageResolution = config.GetProperty("img_resolution").GetInt32(),
            InChannels = config.GetProperty("img_channels").GetInt32(),
            OutChannels = config.GetProperty("img_channels").GetInt32(),
            LabelDim = config.GetProperty("label_dim").GetInt32(),
            ModelChannels = config.GetProperty("model_channels").GetInt32(),
            ChannelMult = Ints(config, "channel_mult"),
            NumBlocks = config.GetProperty("num_blocks").GetInt32(),
            AttentionResolutions = Ints(config, "attn_resolutions"),
            Dropout = config.GetProperty("dropout").GetDouble(),
        };
    }

    public static DhariwalUNetOptions DhariwalUNet(JsonElement config)
    {
        config.GetProperty("model_type").GetString().Should().Be("DhariwalUNet");
        return new DhariwalUNetOptions
        {
            ImageResolution = config.GetProperty("img_resolution").GetInt32(),
            InChannels = config.GetProperty("img_channels").GetInt32(),
            OutChannels = config.GetProperty("img_channels").GetInt32(),
            LabelDim = config.GetProperty("label_dim").GetInt32(),
            ModelChannels = config.GetProperty("model_channels").GetInt32(),
            ChannelMult = Ints(config, "channel_mult"),
            NumBlocks = config.GetProperty("num_blocks").GetInt32(),
            AttentionResolutions = Ints(config, "attn_resolutions"),
            Dropout = config.GetProperty("dropout").GetDouble(),
        };
    }

    private static int[] Ints(JsonElement config, string name) =>
        config.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
