using System.Text.Json;
using DiffusionCore.Networks.UViT;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.UViT;

internal static class UViTTestModels
{
    /// <summary>The options of a fixture's reference <c>UViT(**config)</c> (num_classes −1 = unconditional).</summary>
    public static UViTOptions OptionsFrom(JsonElement config) => new()
    {
        ImageSize = config.GetProperty("img_size").GetInt32(),
        PatchSize = config.GetProperty("patch_size").GetInt32(),
        InChannels = config.GetProperty("in_chans").GetInt32(),
        EmbedDim = config.GetProperty("embed_dim").GetInt32(),
        Depth = config.GetProperty("depth").GetInt32(),
        NumHeads = config.GetProperty("num_heads").GetInt32(),
        MlpRatio = config.GetProperty("mlp_ratio").GetDouble(),
        QkvBias = config.GetProperty("qkv_bias").GetBoolean(),
        MlpTimeEmbed = config.GetProperty("mlp_time_embed").GetBoolean(),
        NumClasses = Math.Max(0, config.GetProperty("num_classes").GetInt32()),
        FinalConv = config.GetProperty("conv").GetBoolean(),
        Skip = config.GetProperty("skip").GetBoolean(),
    };

    public static UViTNetwork Loaded(ReferenceCase reference)
    {
        using var g = new Generator(1);
        var net = new UViTNetwork(OptionsFrom(reference.Config), g);
        reference.LoadStateInto(net);
        net.Eval();
        return net;
    }
}
