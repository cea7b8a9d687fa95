using System.Text.Json;
using DiffusionCore.Networks.Edm;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.Edm2;

/// <summary>Builds EDM2 networks from a fixture's reference config (the arguments of NVlabs/edm2 <c>Precond</c>).</summary>
internal static class Edm2Fixture
{
    public const string Name = "edm2_unet_tiny";

    public static Edm2UNetOptions Options(ReferenceCase c) => Options(c.Config);

    /// <summary>
    /// The options of every <c>Precond</c>/<c>UNet</c>/<c>Block</c> argument (missing ones take DiffusionCore's defaults);
    /// fails on an argument without an option.
    /// </summary>
    public static Edm2UNetOptions Options(JsonElement config)
    {
        var r = new ReferenceConfigReader(config);
        var d = new Edm2UNetOptions();
        var options = new Edm2UNetOptions
        {
            ImgResolution = r.Int("img_resolution", d.ImgResolution),
            ImgChannels = r.Int("img_channels", d.ImgChannels),
            LabelDim = r.Int("label_dim", d.LabelDim),
            ModelChannels = r.Int("model_channels", d.ModelChannels),
            ChannelMult = r.Ints("channel_mult", d.ChannelMult),
            ChannelMultNoise = r.NullableInt("channel_mult_noise", d.ChannelMultNoise),
            ChannelMultEmb = r.NullableInt("channel_mult_emb", d.ChannelMultEmb),
            NumBlocks = r.Int("num_blocks", d.NumBlocks),
            AttentionResolutions = r.Ints("attn_resolutions", d.AttentionResolutions),
            LabelBalance = r.Double("label_balance", d.LabelBalance),
            ConcatBalance = r.Double("concat_balance", d.ConcatBalance),
            ResampleFilter = r.Has("resample_filter") ? new ResampleFilter(r.Doubles("resample_filter", [])) : d.ResampleFilter,
            ChannelsPerHead = r.Int("channels_per_head", d.ChannelsPerHead),
            Dropout = r.Double("dropout", d.Dropout),
            ResidualBalance = r.Double("res_balance", d.ResidualBalance),
            AttentionBalance = r.Double("attn_balance", d.AttentionBalance),
            ClipActivations = r.NullableDouble("clip_act", d.ClipActivations),
            LogVarianceChannels = r.Int("logvar_channels", d.LogVarianceChannels),
            SigmaData = r.Double("sigma_data", d.SigmaData),
        };
        r.EnsureAllRead();
        return options;
    }

    /// <summary>The tiny denoiser with the reference state loaded strictly.</summary>
    public static Edm2Denoiser LoadDenoiser(ReferenceCase c, Func<Edm2UNetOptions, Edm2UNetOptions>? adjust = null)
    {
        using var g = new Generator(1);
        Edm2UNetOptions o = Options(c);
        var d = new Edm2Denoiser(adjust is null ? o : adjust(o), g);
        c.LoadStateInto(d);
        return d;
    }
}
