using DiffusionCore.Networks.Edm;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.Edm;

/// <summary>Every embedding/encoder/decoder/filter combination of SongUNet builds, runs and trains on a tiny configuration.</summary>
public class SongUNetVariantTests
{
    public static TheoryData<EmbeddingType, EncoderType, DecoderType, bool> Variants()
    {
        var data = new TheoryData<EmbeddingType, EncoderType, DecoderType, bool>();
        foreach (EmbeddingType e in Enum.GetValues<EmbeddingType>())
        foreach (EncoderType enc in Enum.GetValues<EncoderType>())
        foreach (DecoderType dec in Enum.GetValues<DecoderType>())
        foreach (bool fir in new[] { false, true })
        {
            data.Add(e, enc, dec, fir);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Variant_runs_forward_and_backward_with_the_right_shapes(EmbeddingType embedding, EncoderType encoder, DecoderType decoder, bool fir)
    {
        SongUNetOptions o = TinyEdm.Song with
        {
            EmbeddingType = embedding,
            EncoderType = encoder,
            DecoderType = decoder,
            ResampleFilter = fir ? ResampleFilter.Fir : ResampleFilter.Box,
            ChannelMult = [1, 2, 2],
            AttentionResolutions = [8, 4],
        };
        using var g = new Generator(3);
        using var net = new SongUNet(o, g);
        using var scope = new TensorScope();
        Tensor x = TinyEdm.Images(1);
        Tensor y = net.Forward(x, Tensor.FromArray(new float[] { -0.5f, 0.7f }), TinyEdm.Labels());

        y.Shape.Should().Equal(2, 3, 16, 16);
        y.IsFinite().All().ToBoolean().Should().BeTrue();
        y.Square().Sum().Backward();
        foreach ((string name, Tensor p) in net.NamedParameters())
        {
            p.Grad.Should().NotBeNull($"{name} takes part in the forward pass");
        }

        var keys = net.StateDict().Keys.ToList();
        keys.Should().Contain(embedding == EmbeddingType.Fourier ? "map_noise.freqs" : "map_layer0.weight");
        keys.Any(k => k.Contains("_aux_down", StringComparison.Ordinal)).Should().Be(encoder == EncoderType.Skip);
        keys.Any(k => k.Contains("_aux_skip", StringComparison.Ordinal)).Should().Be(encoder == EncoderType.Skip);
        keys.Any(k => k.Contains("_aux_residual", StringComparison.Ordinal)).Should().Be(encoder == EncoderType.Residual);
        keys.Count(k => k.EndsWith("_aux_conv.weight", StringComparison.Ordinal)).Should().Be(decoder == DecoderType.Skip ? 3 : 1);
        keys.Any(k => k.Contains("_aux_up", StringComparison.Ordinal)).Should().Be(decoder == DecoderType.Skip);
        net.GetBuffer("enc.8x8_down.conv0.resample_filter")!.Shape.Should().Equal(1, 1, fir ? 4 : 2, fir ? 4 : 2);
    }

    [Fact]
    public void DhariwalUNet_runs_forward_and_backward_with_attention_at_several_resolutions()
    {
        DhariwalUNetOptions o = TinyEdm.Adm with { ModelChannels = 64, ChannelMult = [1, 1, 2], AttentionResolutions = [16, 8, 4] };
        using var g = new Generator(3);
        using var net = new DhariwalUNet(o, g);
        using var scope = new TensorScope();
        Tensor y = net.Forward(TinyEdm.Images(1), Tensor.FromArray(new float[] { -0.5f, 0.7f }), TinyEdm.Labels());

        y.Shape.Should().Equal(2, 3, 16, 16);
        y.Square().Sum().Backward();
        net.NamedParameters().Where(p => p.Value.Grad is null).Select(p => p.Key).Should().BeEmpty();
        var keys = net.StateDict().Keys.ToList();
        foreach (string res in new[] { "16x16", "8x8", "4x4" })
        {
            keys.Should().Contain($"enc.{res}_block0.qkv.weight").And.Contain($"dec.{res}_block0.qkv.weight");
        }

        net.GetSubmodule("dec.4x4_block1").Should().BeOfType<UNetBlock>().Which.NumHeads.Should().Be(2, "128 channels at 64 per head");
    }

    [Fact]
    public void Fourier_frequencies_come_from_the_generator()
    {
        SongUNetOptions o = TinyEdm.Song with { EmbeddingType = EmbeddingType.Fourier };
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        using var a = new SongUNet(o, g1);
        using var b = new SongUNet(o, g2);
        a.GetBuffer("map_noise.freqs")!.ToArray<float>().Should().Equal(b.GetBuffer("map_noise.freqs")!.ToArray<float>());
        a.GetBuffer("map_noise.freqs")!.Shape.Should().Equal(8);
    }
}
