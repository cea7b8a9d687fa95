using DiffusionCore.Torch.Nn;
using static DiffusionCore.Torch.Tests.Nn.TestData;

namespace DiffusionCore.Torch.Tests.Nn;

public class LayerTests
{
    [Fact]
    public void Linear_default_init_lies_within_one_over_sqrt_fan_in_and_fills_that_range()
    {
        using var scope = new TensorScope();
        using var g = new Generator(42);
        using var lin = new Linear(64, 256, generator: g);
        double bound = 1 / Math.Sqrt(64);
        float[] w = F(lin.Weight);
        float[] b = F(lin.Bias!);
        w.Should().OnlyContain(v => Math.Abs(v) <= bound);
        b.Should().OnlyContain(v => Math.Abs(v) <= bound);
        w.Max(Math.Abs).Should().BeGreaterThan((float)(0.99 * bound));
        // U(-b, b) has standard deviation b/sqrt(3); 16384 samples give about 0.6 % relative sampling error.
        lin.Weight.Std().ToDouble().Should().BeApproximately(bound / Math.Sqrt(3), 0.03 * bound / Math.Sqrt(3));
    }

    [Fact]
    public void Layers_with_the_same_seed_are_identical_and_differ_across_seeds()
    {
        using var scope = new TensorScope();
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        using var g3 = new Generator(6);
        using var a = new Conv2d(3, 8, 3, generator: g1);
        using var b = new Conv2d(3, 8, 3, generator: g2);
        using var c = new Conv2d(3, 8, 3, generator: g3);
        F(a.Weight).Should().Equal(F(b.Weight));
        F(a.Bias!).Should().Equal(F(b.Bias!));
        F(a.Weight).Should().NotEqual(F(c.Weight));
    }

    [Fact]
    public void Linear_forward_is_x_times_weight_transposed_plus_bias()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var lin = new Linear(3, 2, generator: g);
        Tensor x = Tensor.Randn([4, 3], g);
        Tensor expected = x.MatMul(lin.Weight.Transpose(0, 1)) + lin.Bias!;
        (lin.Forward(x) - expected).Abs().Max().ToDouble().Should().BeLessThan(1e-6);
    }

    [Fact]
    public void Conv2d_honours_stride_padding_dilation_and_groups()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var conv = new Conv2d(4, 6, 3, stride: 2, padding: 1, dilation: 2, groups: 2, generator: g);
        conv.Weight.Shape.Should().Equal(6, 2, 3, 3);
        conv.Bias!.Shape.Should().Equal(6);
        double bound = 1 / Math.Sqrt(2 * 3 * 3);
        F(conv.Weight).Should().OnlyContain(v => Math.Abs(v) <= bound);
        // floor((16 + 2·1 − 2·(3 − 1) − 1) / 2) + 1 = 7
        conv.Forward(Tensor.Randn([2, 4, 16, 16], g)).Shape.Should().Equal(2, 6, 7, 7);
        using var noBias = new Conv2d(4, 4, (1, 3), (1, 1), (0, 1), (1, 1), bias: false, generator: g);
        noBias.Bias.Should().BeNull();
        noBias.StateDict().Keys.Should().Equal("weight");
        noBias.Forward(Tensor.Randn([1, 4, 5, 5], g)).Shape.Should().Equal(1, 4, 5, 5);
        FluentActions.Invoking(() => new Conv2d(3, 4, 3, groups: 2)).Should().Throw<ArgumentException>().WithMessage("*divisible by groups*");
    }

    [Fact]
    public void Conv2d_reflect_padding_pads_before_an_unpadded_convolution()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var conv = new Conv2d(2, 3, 3, padding: 1, paddingMode: PaddingMode.Reflect, generator: g);
        Tensor x = Tensor.Randn([1, 2, 6, 6], g);
        Tensor expected = Functional.Conv2d(Functional.Pad(x, [1, 1, 1, 1], PadMode.Reflect), conv.Weight, conv.Bias);
        Tensor y = conv.Forward(x);
        y.Shape.Should().Equal(1, 3, 6, 6);
        F(y).Should().Equal(F(expected));
        F(y).Should().NotEqual(F(Functional.Conv2d(x, conv.Weight, conv.Bias, padding: 1)));
    }

    [Fact]
    public void ConvTranspose2d_has_pytorch_weight_layout_init_and_output_size()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var up = new ConvTranspose2d(4, 6, 4, stride: 2, padding: 1, generator: g);
        up.Weight.Shape.Should().Equal(4, 6, 4, 4);
        double bound = 1 / Math.Sqrt(6 * 4 * 4); // PyTorch's fan_in for this layout is size(1)·kh·kw
        F(up.Weight).Should().OnlyContain(v => Math.Abs(v) <= bound);
        F(up.Bias!).Should().OnlyContain(v => Math.Abs(v) <= bound);
        F(up.Weight).Max(Math.Abs).Should().BeGreaterThan((float)(0.95 * bound));
        // (8 − 1)·2 − 2·1 + (4 − 1) + 0 + 1 = 16
        up.Forward(Tensor.Randn([2, 4, 8, 8], g)).Shape.Should().Equal(2, 6, 16, 16);
        using var withOutputPadding = new ConvTranspose2d(4, 2, 3, stride: 2, padding: 1, outputPadding: 1, groups: 2, generator: g);
        withOutputPadding.Weight.Shape.Should().Equal(4, 1, 3, 3);
        withOutputPadding.Forward(Tensor.Randn([1, 4, 8, 8], g)).Shape.Should().Equal(1, 2, 16, 16);
    }

    [Fact]
    public void GroupNorm_normalises_each_group_and_starts_as_identity_affine()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var norm = new GroupNorm(2, 4);
        F(norm.Weight!).Should().Equal(1f, 1f, 1f, 1f);
        F(norm.Bias!).Should().Equal(0f, 0f, 0f, 0f);
        Tensor x = Tensor.Randn([3, 4, 5, 5], g) * 3 + 7;
        Tensor y = norm.Forward(x).Reshape(3, 2, -1);
        F(y.Mean([2])).Should().OnlyContain(v => Math.Abs(v) < 1e-5);
        F(y.Var([2], correction: 0)).Should().OnlyContain(v => Math.Abs(v - 1) < 1e-3);
        FluentActions.Invoking(() => new GroupNorm(3, 4)).Should().Throw<ArgumentException>();
        using var plain = new GroupNorm(2, 4, affine: false);
        plain.Parameters().Should().BeEmpty();
    }

    [Fact]
    public void LayerNorm_normalises_the_trailing_dimensions_with_optional_affine()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var ln = new LayerNorm(8);
        ln.StateDict().Keys.Should().Equal("weight", "bias");
        Tensor x = Tensor.Randn([4, 8], g) * 2 + 1;
        Tensor y = ln.Forward(x);
        F(y.Mean([1])).Should().OnlyContain(v => Math.Abs(v) < 1e-5);
        F(y.Var([1], correction: 0)).Should().OnlyContain(v => Math.Abs(v - 1) < 1e-3);
        using var bare = new LayerNorm([2, 4], elementwiseAffine: false);
        bare.Parameters().Should().BeEmpty();
        F(bare.Forward(x.Reshape(4, 2, 4))).Should().Equal(F(y), "normalising over [2, 4] of a reshaped [4, 8] is the same");
        using var noBias = new LayerNorm(8, bias: false);
        noBias.StateDict().Keys.Should().Equal("weight");
    }

    [Fact]
    public void Embedding_is_standard_normal_and_gathers_rows()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var emb = new Embedding(1000, 16, g);
        emb.Weight.Mean().ToDouble().Should().BeApproximately(0, 0.03);
        emb.Weight.Std().ToDouble().Should().BeApproximately(1, 0.03);
        Tensor idx = Tensor.FromArray(new long[] { 3, 0, 999, 3, 1, 2 }, 2, 3);
        Tensor y = emb.Forward(idx);
        y.Shape.Should().Equal(2, 3, 16);
        F(y[0][2]).Should().Equal(F(emb.Weight[999]));
    }

    [Fact]
    public void Dropout_is_deterministic_for_a_seed_scales_kept_values_and_is_identity_in_eval()
    {
        using var scope = new TensorScope();
        using var drop = new Dropout(0.25);
        Tensor x = Tensor.Ones([4000]);
        using var g1 = new Generator(7);
        using var g2 = new Generator(7);
        drop.Generator = g1;
        float[] a = F(drop.Forward(x));
        drop.Generator = g2;
        float[] b = F(drop.Forward(x));
        a.Should().Equal(b);
        a.Should().OnlyContain(v => v == 0f || Math.Abs(v - 1 / 0.75f) < 1e-6f);
        a.Count(v => v == 0f).Should().BeInRange(900, 1100); // 1000 ± 3.7σ
        drop.Eval();
        F(drop.Forward(x)).Should().OnlyContain(v => v == 1f);
    }

    [Fact]
    public void Sequential_chains_modules_and_identity_passes_through()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        var c1 = new Conv2d(1, 4, 3, padding: 1, generator: g);
        var c2 = new Conv2d(4, 1, 3, padding: 1, generator: g);
        using var seq = new Sequential(c1, new Silu(), new Identity(), c2);
        Tensor x = Tensor.Randn([2, 1, 8, 8], g);
        F(seq.Forward(x)).Should().Equal(F(c2.Forward(c1.Forward(x).Silu())));
        seq.Count.Should().Be(4);
        seq[2].Should().BeOfType<Identity>();
        using var empty = new Sequential();
        F(empty.Forward(x)).Should().Equal(F(x));
    }

    [Fact]
    public void Activation_modules_match_the_tensor_functions()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        Tensor x = Tensor.Randn([16], g);
        using var silu = new Silu();
        using var gelu = new Gelu(tanhApproximation: true);
        using var relu = new Relu();
        F(silu.Forward(x)).Should().Equal(F(x.Silu()));
        F(gelu.Forward(x)).Should().Equal(F(x.Gelu(true)));
        F(relu.Forward(x)).Should().Equal(F(x.Relu()));
    }
}
