using DiffusionCore.Networks.Edm;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Tests.Edm;

/// <summary>The shared EDM layers against their defining formulas.</summary>
public class EdmLayerTests
{
    [Theory]
    [InlineData(ResampleMode.Down)]
    [InlineData(ResampleMode.Up)]
    public void Box_resampling_fast_path_equals_the_depthwise_filter(ResampleMode mode)
    {
        using var conv = new EdmConv2d(3, 3, 0, resample: mode);
        using var scope = new TensorScope();
        Tensor x = TinyEdm.Images(2, channels: 3, resolution: 8);
        Tensor f = conv.GetBuffer("resample_filter")!.Expand(3, 1, 2, 2);
        Tensor expected = mode == ResampleMode.Down
            ? Functional.Conv2d(x, f, stride: 2, groups: 3)
            : Functional.ConvTranspose2d(x, f.Mul(4.0), stride: 2, groups: 3);
        TinyEdm.MaxAbsDiff(conv.Forward(x), expected).Should().BeLessThan(1e-6);
    }

    [Theory]
    [InlineData(ResampleMode.Down, false, 8)]
    [InlineData(ResampleMode.Down, true, 8)]
    [InlineData(ResampleMode.Up, false, 32)]
    [InlineData(ResampleMode.Up, true, 32)]
    public void Fir_resampling_halves_or_doubles_the_resolution(ResampleMode mode, bool fused, int expected)
    {
        using var g = new Generator(1);
        using var conv = new EdmConv2d(3, 5, 3, resample: mode, filter: ResampleFilter.Fir, fusedResample: fused, generator: g);
        using var scope = new TensorScope();
        conv.Forward(TinyEdm.Images(2, channels: 3)).Shape.Should().Equal(2, 5, expected, expected);
    }

    [Fact]
    public void Positional_embedding_uses_the_endpoint_grid()
    {
        using var emb = new PositionalEmbedding(8, endpoint: true);
        using var scope = new TensorScope();
        float[] y = emb.Forward(Tensor.FromArray(new float[] { 2f })).ToArray<float>();
        double[] freqs = [1, Math.Pow(1e-4, 1.0 / 3), Math.Pow(1e-4, 2.0 / 3), 1e-4];
        double[] expected = [.. freqs.Select(w => Math.Cos(2 * w)), .. freqs.Select(w => Math.Sin(2 * w))];
        y.Select(v => (double)v).Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void Fourier_embedding_is_cos_and_sin_of_two_pi_t_omega()
    {
        using var g = new Generator(3);
        using var emb = new FourierEmbedding(4, 16, g);
        using var scope = new TensorScope();
        float[] freqs = emb.GetBuffer("freqs")!.ToArray<float>();
        float[] y = emb.Forward(Tensor.FromArray(new float[] { 0.25f })).ToArray<float>();
        double[] angles = [.. freqs.Select(w => 2 * Math.PI * 0.25 * w)];
        double[] expected = [.. angles.Select(Math.Cos), .. angles.Select(Math.Sin)];
        y.Select(v => (double)v).Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-4);
    }

    [Theory]
    [InlineData(32, 8)]
    [InlineData(96, 24)]
    [InlineData(256, 32)]
    [InlineData(6, 1)]
    public void Group_norm_uses_at_most_32_groups_of_at_least_4_channels(int channels, int groups)
    {
        EdmGroupNorm.GroupCount(channels).Should().Be(groups);
        using GroupNorm norm = EdmGroupNorm.Create(channels, 1e-6);
        norm.NumGroups.Should().Be(groups);
    }

    [Fact]
    public void Init_modes_draw_with_the_layer_fans_and_scales()
    {
        using var g = new Generator(1);
        using var zero = new EdmLinear(4, 3, init: new EdmInit(EdmInitMode.KaimingUniform, 0, 0), generator: g);
        zero.GetParameter("weight")!.Abs().Max().ToDouble().Should().Be(0);
        using var xavier = new EdmConv2d(8, 8, 3, init: EdmInit.XavierUniform, generator: g);
        double bound = Math.Sqrt(6.0 / (72 + 72));
        xavier.GetParameter("weight")!.Abs().Max().ToDouble().Should().BeLessThanOrEqualTo(bound).And.BeGreaterThan(bound * 0.9);
        xavier.GetParameter("bias")!.Abs().Max().ToDouble().Should().Be(0, "the bias scale defaults to 0");
    }
}
