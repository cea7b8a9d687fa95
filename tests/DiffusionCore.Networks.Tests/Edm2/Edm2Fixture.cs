using System.Text.Json;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.Edm2;

/// <summary>Builds EDM2 networks from the edm2_unet_tiny fixture's reference config.</summary>
internal static class Edm2Fixture
{
    public const string Name = "edm2_unet_tiny";

    public static Edm2UNetOptions Options(ReferenceCase c) => Options(c.Config);

    public static Edm2UNetOptions Options(JsonElement config) => new()
    {
        ImgResolution = config.GetProperty("img_resolution").GetInt32(),
        ImgChannels = config.GetProperty("img_channels").GetInt32(),
        LabelDim = config.GetProperty("label_dim").GetInt32(),
        ModelChannels = config.GetProperty("model_channels").GetInt32(),
        ChannelMult = config.GetProperty("channel_mult").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
        NumBlocks = config.GetProperty("num_blocks").GetInt32(),
        AttentionResolutions = config.GetProperty("attn_resolutions").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
    };

    /// <summary>The tiny denoiser with the reference state loaded strictly.</summary>
    public static Edm2Denoiser LoadDenoiser(ReferenceCase c, Func<Edm2UNetOptions, Edm2UNetOptions>? adjust = null)
    {
        using var g = new Generator(1);
        Edm2UNetOptions o = Options(c);
        var d = new Edm2Denoiser(adjust is null ? o : adjust(o), g);
        c.LoadStateInto(d);
        return d;
    }

    /// <summary>max|a − b| / max(1, max|b|), the README's relative error.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        using var scope = new TensorScope();
        Tensor a = actual.To(DType.Float64);
        Tensor b = expected.To(DType.Float64);
        return (a - b).Abs().Max().ToDouble() / Math.Max(1.0, b.Abs().Max().ToDouble());
    }
}
