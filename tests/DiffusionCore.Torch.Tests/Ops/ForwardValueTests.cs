using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Ops;

/// <summary>Forward values against closed forms or hand-computed results.</summary>
public class ForwardValueTests
{
    [Fact]
    public void Softmax_rows_sum_to_one_and_log_softmax_exponentiates_to_softmax()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Randn(501, 3, 5) * 4.0;
        Tensor s = x.Softmax(1);
        s.Sum([1]).ShouldBeClose([1.0, 1.0, 1.0], 1e-12);
        x.LogSoftmax(1).Exp().ShouldBeClose(s, 1e-12);
        T64.Host(s).Should().OnlyContain(v => v > 0 && v < 1);
        // Shift invariance: softmax(x + c) = softmax(x).
        (x + 100.0).Softmax(1).ShouldBeClose(s, 1e-12);
    }

    [Fact]
    public void GroupNorm_gives_zero_mean_and_unit_variance_per_group()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Randn(502, 2, 6, 3, 3) * 3.0 + 5.0;
        Tensor y = Functional.GroupNorm(x, 3, eps: 1e-12);
        Tensor groups = y.Reshape(2, 3, -1);
        groups.Mean([2]).ShouldBeClose(new double[6], 1e-10);
        groups.Var([2], correction: 0).ShouldBeClose(Enumerable.Repeat(1.0, 6).ToArray(), 1e-9);
    }

    [Fact]
    public void GroupNorm_applies_per_channel_affine()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Randn(503, 1, 4, 2, 2);
        Tensor w = T64.Of([1, 2, 3, 4]);
        Tensor b = T64.Of([0.5, -0.5, 1, 0]);
        Tensor plain = Functional.GroupNorm(x, 2);
        Functional.GroupNorm(x, 2, w, b).ShouldBeClose(plain * w.Reshape(1, 4, 1, 1) + b.Reshape(1, 4, 1, 1), 1e-12);
    }

    [Fact]
    public void LayerNorm_gives_zero_mean_and_unit_variance_over_normalized_shape()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Randn(504, 2, 3, 8) * 2.0 - 1.0;
        Tensor y = Functional.LayerNorm(x, [8], eps: 1e-12);
        y.Mean([2]).ShouldBeClose(new double[6], 1e-10);
        y.Var([2], correction: 0).ShouldBeClose(Enumerable.Repeat(1.0, 6).ToArray(), 1e-9);
    }

    [Fact]
    public void Interpolate_nearest_by_two_duplicates_each_pixel()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2, 3, 4, 5, 6], 1, 1, 2, 3);
        double[] expected =
        [
            1, 1, 2, 2, 3, 3,
            1, 1, 2, 2, 3, 3,
            4, 4, 5, 5, 6, 6,
            4, 4, 5, 5, 6, 6,
        ];
        Tensor bySize = Functional.Interpolate(x, (4, 6));
        bySize.Shape.Should().Equal(1, 1, 4, 6);
        bySize.ShouldBeClose(expected, 0);
        Functional.Interpolate(x, InterpolationMode.Nearest, 2.0).ShouldBeClose(expected, 0);
    }

    [Fact]
    public void Interpolate_bilinear_with_align_corners_hits_the_midpoints()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([0, 2, 4, 6], 1, 1, 2, 2);
        Tensor y = Functional.Interpolate(x, (3, 3), InterpolationMode.Bilinear, alignCorners: true);
        y.ShouldBeClose([0, 1, 2, 2, 3, 4, 4, 5, 6], 1e-12);
    }

    [Fact]
    public void Area_interpolation_averages_blocks()
    {
        using var scope = new TensorScope();
        var x = Tensor.Arange(16, DType.Float32).Reshape(1, 1, 4, 4);
        var y = Functional.Interpolate(x, (2, 2), InterpolationMode.Area);
        y.ToArray<float>().Should().Equal(2.5f, 4.5f, 10.5f, 12.5f);
    }

    [Fact]
    public void Pad_reflect_mirrors_without_repeating_the_edge()
    {
        using var scope = new TensorScope();
        Tensor row = T64.Of([1, 2, 3], 1, 1, 3);
        Functional.Pad(row, [2, 1], PadMode.Reflect).ShouldBeClose([3, 2, 1, 2, 3, 2], 0);
        Tensor img = T64.Of([1, 2, 3, 4, 5, 6], 1, 1, 2, 3);
        Tensor p = Functional.Pad(img, [1, 1, 1, 0], PadMode.Reflect);
        p.Shape.Should().Equal(1, 1, 3, 5);
        p.ShouldBeClose([5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5], 0);
    }

    [Fact]
    public void Pad_constant_and_replicate_values()
    {
        using var scope = new TensorScope();
        Tensor row = T64.Of([1, 2, 3], 1, 1, 3);
        Functional.Pad(row, [1, 2], PadMode.Constant, 9).ShouldBeClose([9, 1, 2, 3, 9, 9], 0);
        Functional.Pad(row, [2, 1], PadMode.Replicate).ShouldBeClose([1, 1, 1, 2, 3, 3], 0);
        Functional.Pad(row, [1, 1], PadMode.Circular).ShouldBeClose([3, 1, 2, 3, 1], 0);
    }

    [Fact]
    public void OneHot_encodes_classes_as_int64_rows()
    {
        using var scope = new TensorScope();
        Tensor oh = T64.Longs([0, 2, 1, 2]).OneHot(3);
        oh.DType.Should().Be(DType.Int64);
        oh.Shape.Should().Equal(4, 3);
        oh.ToArray<long>().Should().Equal(1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1);
        Functional.OneHot(T64.Longs([1]), 2).ToArray<long>().Should().Equal(0, 1);
    }

    private static Tensor ExplicitAttention(Tensor q, Tensor k, Tensor v, Tensor? additiveMask)
    {
        Tensor scores = q.MatMul(k.Transpose(-2, -1)) / Math.Sqrt(q.Size(-1));
        if (additiveMask is not null) scores = scores + additiveMask;
        return scores.Softmax(-1).MatMul(v);
    }

    [Fact]
    public void ScaledDotProductAttention_equals_explicit_softmax_of_scaled_scores()
    {
        using var scope = new TensorScope();
        Tensor q = T64.Randn(511, 2, 3, 4), k = T64.Randn(512, 2, 5, 4), v = T64.Randn(513, 2, 5, 6);
        Tensor y = Functional.ScaledDotProductAttention(q, k, v);
        y.Shape.Should().Equal(2, 3, 6);
        y.ShouldBeClose(ExplicitAttention(q, k, v, null), 1e-12);
    }

    [Fact]
    public void ScaledDotProductAttention_adds_a_float_mask_to_the_scores()
    {
        using var scope = new TensorScope();
        Tensor q = T64.Randn(514, 2, 3, 4), k = T64.Randn(515, 2, 5, 4), v = T64.Randn(516, 2, 5, 6);
        Tensor mask = T64.Randn(517, 3, 5);
        Functional.ScaledDotProductAttention(q, k, v, mask).ShouldBeClose(ExplicitAttention(q, k, v, mask), 1e-12);
    }

    [Fact]
    public void ScaledDotProductAttention_boolean_mask_true_means_attend()
    {
        using var scope = new TensorScope();
        Tensor q = T64.Randn(518, 1, 3, 4), k = T64.Randn(519, 1, 4, 4), v = T64.Randn(520, 1, 4, 2);
        Tensor keep = T64.Bools([true, false, true, false, false, true, true, true, true, false, false, false], 3, 4);
        Tensor additive = Tensor.Zeros([3, 4], DType.Float64).MaskedFill(keep.LogicalNot(), double.NegativeInfinity);
        Functional.ScaledDotProductAttention(q, k, v, keep).ShouldBeClose(ExplicitAttention(q, k, v, additive), 1e-12);
    }

    [Fact]
    public void ScaledDotProductAttention_causal_equals_lower_triangular_mask()
    {
        using var scope = new TensorScope();
        Tensor q = T64.Randn(521, 2, 4, 3), k = T64.Randn(522, 2, 4, 3), v = T64.Randn(523, 2, 4, 2);
        var keep = new bool[16];
        for (int i = 0; i < 4; i++) for (int j = 0; j <= i; j++) keep[i * 4 + j] = true;
        Tensor additive = Tensor.Zeros([4, 4], DType.Float64).MaskedFill(T64.Bools(keep, 4, 4).LogicalNot(), double.NegativeInfinity);
        Functional.ScaledDotProductAttention(q, k, v, isCausal: true).ShouldBeClose(ExplicitAttention(q, k, v, additive), 1e-12);
    }

    [Fact]
    public void MatMul_and_Linear_match_hand_computed_products()
    {
        using var scope = new TensorScope();
        Tensor a = T64.Of([1, 2, 3, 4, 5, 6], 2, 3);
        Tensor b = T64.Of([1, 0, 0, 1, 1, 1], 3, 2);
        a.MatMul(b).ShouldBeClose([4, 5, 10, 11], 0);
        Functional.Linear(a, b.Transpose(0, 1), T64.Of([10, 20])).ShouldBeClose([14, 25, 20, 31], 0);
        Tensor.Einsum("ij,jk->ik", a, b).ShouldBeClose([4, 5, 10, 11], 0);
        Tensor.Einsum("ii->", T64.Of([1, 2, 3, 4], 2, 2)).ToDouble().Should().Be(5);
    }

    [Fact]
    public void Conv2d_with_ones_kernel_sums_windows_and_pools_match_hand_values()
    {
        using var scope = new TensorScope();
        Tensor x = Tensor.Arange(16, DType.Float64).Reshape(1, 1, 4, 4);
        Tensor box = Functional.Conv2d(x, Tensor.Ones([1, 1, 2, 2], DType.Float64), stride: 2);
        box.ShouldBeClose([0 + 1 + 4 + 5, 2 + 3 + 6 + 7, 8 + 9 + 12 + 13, 10 + 11 + 14 + 15], 0);
        Functional.AvgPool2d(x, 2).ShouldBeClose([2.5, 4.5, 10.5, 12.5], 1e-12);
        Functional.MaxPool2d(x, 2).ShouldBeClose([5, 7, 13, 15], 0);
        Functional.Conv2d(x, Tensor.Ones([1, 1, 1, 1], DType.Float64), T64.Of([1.0])).ShouldBeClose(x + 1.0, 0);
    }

    [Fact]
    public void ConvTranspose2d_with_stride_two_places_scaled_kernels()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2], 1, 1, 1, 2);
        Tensor y = Functional.ConvTranspose2d(x, Tensor.Ones([1, 1, 2, 2], DType.Float64), stride: 2);
        y.Shape.Should().Equal(1, 1, 2, 4);
        y.ShouldBeClose([1, 1, 2, 2, 1, 1, 2, 2], 0);
    }

    [Fact]
    public void Silu_and_Gelu_match_their_formulas()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Uniform(531, -4, 4, 50);
        x.Silu().ShouldBeClose(x * x.Sigmoid(), 1e-14);
        x.Gelu().ShouldBeClose(x * 0.5 * (1.0 + (x / Math.Sqrt(2)).Erf()), 1e-14);
        Tensor inner = (x + x.Pow(3.0) * 0.044715) * Math.Sqrt(2 / Math.PI);
        x.Gelu(tanhApproximation: true).ShouldBeClose(x * 0.5 * (1.0 + inner.Tanh()), 1e-14);
        x.Gelu(tanhApproximation: true).ShouldBeClose(x.Gelu(), 1e-3);
    }

    [Fact]
    public void Var_Std_and_Norm_match_hand_values()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2, 3, 4], 2, 2);
        x.Var().ToDouble().Should().BeApproximately(5.0 / 3.0, 1e-14);
        x.Var(correction: 0).ToDouble().Should().BeApproximately(1.25, 1e-14);
        x.Std([1]).ShouldBeClose([Math.Sqrt(0.5), Math.Sqrt(0.5)], 1e-14);
        x.Norm().ToDouble().Should().BeApproximately(Math.Sqrt(30), 1e-14);
        x.Norm(1, [0]).ShouldBeClose([4, 6], 0);
        x.Mean([0]).ShouldBeClose([2, 3], 0);
    }

    [Fact]
    public void Shape_ops_place_values_as_torch_does()
    {
        using var scope = new TensorScope();
        Tensor x = Tensor.Arange(6, DType.Float64).Reshape(2, 3);
        x.Flip(1).ShouldBeClose([2, 1, 0, 5, 4, 3], 0);
        x.Roll([1], [1]).ShouldBeClose([2, 0, 1, 5, 3, 4], 0);
        x.Transpose(0, 1).ShouldBeClose([0, 3, 1, 4, 2, 5], 0);
        x.Repeat(1, 2).ShouldBeClose([0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5], 0);
        x.Narrow(1, 1, 2).ShouldBeClose([1, 2, 4, 5], 0);
        x[1].ShouldBeClose([3, 4, 5], 0);
        x.Select(1, 0).ShouldBeClose([0, 3], 0);
        Tensor.Stack([x, x], 0).Shape.Should().Equal(2, 2, 3);
        Tensor.Cat([x, x], 1).Shape.Should().Equal(2, 6);
        x.Narrow(0, 0, 1).Expand(3, 3).ShouldBeClose([0, 1, 2, 0, 1, 2, 0, 1, 2], 0);
    }

    [Fact]
    public void Index_ops_place_values_as_torch_does()
    {
        using var scope = new TensorScope();
        Tensor x = Tensor.Arange(6, DType.Float64).Reshape(2, 3);
        x.IndexSelect(1, T64.Longs([2, 0])).ShouldBeClose([2, 0, 5, 3], 0);
        x.Gather(1, T64.Longs([1, 1, 0, 2], 2, 2)).ShouldBeClose([1, 1, 3, 5], 0);
        Tensor zeros = Tensor.Zeros([2, 3], DType.Float64);
        zeros.Scatter(1, T64.Longs([2, 0], 2, 1), T64.Of([7, 8], 2, 1)).ShouldBeClose([0, 0, 7, 8, 0, 0], 0);
        zeros.ScatterAdd(1, T64.Longs([1, 1, 0, 0], 2, 2), T64.Of([1, 2, 3, 4], 2, 2)).ShouldBeClose([0, 3, 0, 7, 0, 0], 0);
        x.MaskedFill(T64.Bools([true, false, true]), -1).ShouldBeClose([-1, 1, -1, -1, 4, -1], 0);
        Functional.Embedding(T64.Longs([1, 1, 0]), x).ShouldBeClose([3, 4, 5, 3, 4, 5, 0, 1, 2], 0);
        x.MaskedSelect(x.Gt(2.5)).ShouldBeClose([3, 4, 5], 0);
    }

    [Fact]
    public void Clamp_Where_Lerp_and_NanToNum_values()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([-2, -0.5, 0.5, 2]);
        x.Clamp(-1, 1).ShouldBeClose([-1, -0.5, 0.5, 1], 0);
        Tensor.Where(x.Gt(0.0), x, x * 10.0).ShouldBeClose([-20, -5, 0.5, 2], 0);
        x.Lerp(Tensor.Zeros([4], DType.Float64), 0.25).ShouldBeClose([-1.5, -0.375, 0.375, 1.5], 0);
        T64.Of([double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1]).NanToNum(0, 5, -5).ShouldBeClose([0, 5, -5, 1], 0);
        T64.Host(T64.Of([double.PositiveInfinity]).NanToNum())[0].Should().Be(double.MaxValue);
    }

    [Fact]
    public void Hardtanh_gives_clamps_values_and_passes_the_gradient_only_strictly_inside()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([-3, -2, -1.5, 0, 1.5, 2, 3, double.NaN]).RequiresGradInPlace();
        Tensor y = x.Hardtanh(-2, 2);
        T64.Host(y).Take(7).Should().Equal(-2, -2, -1.5, 0, 1.5, 2, 2);
        double.IsNaN(T64.Host(y)[7]).Should().BeTrue("hardtanh, like clamp, propagates NaN");
        y.Sum().Backward();
        T64.Host(x.Grad!).Take(7).Should().Equal(0, 0, 1, 1, 1, 0, 0);

        using var g = new Generator(5);
        foreach (DType dtype in new[] { DType.Float32, DType.BFloat16 })
        {
            Tensor r = Tensor.Randn([3, 40, 7], g, dtype).Mul(3);
            Tensor h = r.Hardtanh(-2.5, 2.5);
            h.DType.Should().Be(dtype);
            h.Eq(r.Clamp(-2.5, 2.5)).All().ToBoolean().Should().BeTrue();
        }

        Tensor b = Tensor.Randn([8], g, DType.BFloat16).RequiresGradInPlace();
        FluentActions.Invoking(() => b.Hardtanh(-1, 1).Sum().Backward()).Should().Throw<TorchNotSupportedException>()
            .WithMessage("*BFloat16*", "libtorch 1.13 has no CPU hardtanh backward for bfloat16, as the XML doc says");

        FluentActions.Invoking(() => x.Hardtanh(1, -1)).Should().Throw<ArgumentException>().WithMessage("*min ≤ max*");
        FluentActions.Invoking(() => x.Hardtanh(double.NaN, 1)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void AffineGrid_identity_then_GridSample_reproduces_the_input()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Randn(541, 1, 2, 3, 4);
        Tensor identity = T64.Of([1, 0, 0, 0, 1, 0], 1, 2, 3);
        Tensor grid = Functional.AffineGrid(identity, [1, 2, 3, 4], alignCorners: true);
        grid.Shape.Should().Equal(1, 3, 4, 2);
        // The grid's x coordinates run from −1 to 1 along the width.
        grid.Select(3, 0).Select(1, 0).ShouldBeClose([-1, -1.0 / 3, 1.0 / 3, 1], 1e-12);
        Functional.GridSample(x, grid, alignCorners: true).ShouldBeClose(x, 1e-12);
        Functional.GridSample(x, grid, GridSampleMode.Nearest, alignCorners: true).ShouldBeClose(x, 1e-12);
    }
}
