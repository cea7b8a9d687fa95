using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Ops;

/// <summary>Finite-difference gradient checks of the torch.nn.functional surface.</summary>
public class NnGradTests
{
    [Fact]
    public void Conv2d_gradient_with_stride_padding_groups_and_bias()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Randn(101, 1, 4, 5, 5);
        Tensor w = T64.Randn(102, 6, 2, 3, 3);
        Tensor b = T64.Randn(103, 6);
        GradCheck.Check(t => Functional.Conv2d(t[0], t[1], t[2], stride: 2, padding: 1, groups: 2), x, w, b);
    }

    [Fact]
    public void Conv2d_gradient_with_dilation_and_no_bias()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Randn(104, 2, 2, 5, 5);
        Tensor w = T64.Randn(105, 2, 2, 3, 3);
        GradCheck.Check(t => Functional.Conv2d(t[0], t[1], padding: 2, dilation: 2), x, w);
    }

    [Fact]
    public void Conv2d_gradient_with_per_axis_stride_and_padding()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Randn(106, 1, 2, 4, 5);
        Tensor w = T64.Randn(107, 3, 2, 2, 3);
        Tensor b = T64.Randn(108, 3);
        GradCheck.Check(t => Functional.Conv2d(t[0], t[1], t[2], (1, 2), (0, 1), (1, 1)), x, w, b);
    }

    [Fact]
    public void ConvTranspose2d_gradient_with_stride_padding_output_padding_groups_and_bias()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Randn(111, 1, 4, 3, 3);
        Tensor w = T64.Randn(112, 4, 1, 3, 3); // [in, out/groups, kh, kw] with groups 2 → 2 output channels
        Tensor b = T64.Randn(113, 2);
        Tensor y = Functional.ConvTranspose2d(x, w, b, stride: 2, padding: 1, outputPadding: 1, groups: 2);
        y.Shape.Should().Equal(1, 2, 6, 6); // (3−1)·2 − 2·1 + 3 + 1
        GradCheck.Check(t => Functional.ConvTranspose2d(t[0], t[1], t[2], stride: 2, padding: 1, outputPadding: 1, groups: 2), x, w, b);
    }

    [Fact]
    public void ConvTranspose2d_gradient_plain()
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Functional.ConvTranspose2d(t[0], t[1]), T64.Randn(114, 2, 2, 2, 3), T64.Randn(115, 2, 3, 2, 2));
    }

    [Theory]
    [InlineData(2, null, 0)]
    [InlineData(3, 2, 1)]
    [InlineData(2, 1, 0)]
    public void AvgPool2d_gradient(int kernel, int? stride, int padding)
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Functional.AvgPool2d(t[0], kernel, stride, padding), T64.Randn(121, 1, 2, 4, 5));
    }

    [Theory]
    [InlineData(2, null, 0)]
    [InlineData(3, 2, 1)]
    public void MaxPool2d_gradient_with_distinct_values(int kernel, int? stride, int padding)
    {
        using var scope = new TensorScope();
        // A random permutation scaled to 0.1 steps: no ties within ε, so the max is differentiable everywhere used.
        Tensor x;
        using (var g = new Generator(122))
        {
            x = Tensor.RandPerm(40, g).To(DType.Float64).Mul(0.1).Reshape(1, 2, 4, 5);
        }

        GradCheck.Check(t => Functional.MaxPool2d(t[0], kernel, stride, padding), x);
    }

    [Fact]
    public void Interpolate_nearest_gradient_to_size()
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Functional.Interpolate(t[0], (4, 6)), T64.Randn(131, 1, 2, 2, 3));
    }

    [Fact]
    public void Interpolate_nearest_gradient_by_scale_factor()
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Functional.Interpolate(t[0], InterpolationMode.Nearest, 2.0), T64.Randn(132, 1, 2, 2, 3));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Interpolate_bilinear_gradient(bool alignCorners)
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Functional.Interpolate(t[0], (5, 7), InterpolationMode.Bilinear, alignCorners), T64.Randn(133, 1, 2, 3, 4));
    }

    [Fact]
    public void Interpolate_bilinear_gradient_downsampling_by_scale()
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Functional.Interpolate(t[0], InterpolationMode.Bilinear, 0.5), T64.Randn(134, 1, 1, 4, 6));
    }

    [Theory]
    [InlineData(PadMode.Constant)]
    [InlineData(PadMode.Reflect)]
    [InlineData(PadMode.Replicate)]
    [InlineData(PadMode.Circular)]
    public void Pad_gradient(PadMode mode)
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Functional.Pad(t[0], [1, 2, 2, 1], mode, 0.5), T64.Randn(141, 1, 2, 3, 4));
    }

    [Fact]
    public void GroupNorm_gradient_with_affine()
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Functional.GroupNorm(t[0], 2, t[1], t[2]), T64.Randn(151, 2, 4, 2, 3), T64.Randn(152, 4), T64.Randn(153, 4));
    }

    [Fact]
    public void GroupNorm_gradient_without_affine()
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Functional.GroupNorm(t[0], 3, eps: 1e-3), T64.Randn(154, 1, 6, 2, 2));
    }

    [Fact]
    public void LayerNorm_gradient_with_affine()
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Functional.LayerNorm(t[0], [4], t[1], t[2]), T64.Randn(161, 2, 3, 4), T64.Randn(162, 4), T64.Randn(163, 4));
    }

    [Fact]
    public void LayerNorm_gradient_over_two_dims_without_affine()
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Functional.LayerNorm(t[0], [3, 4]), T64.Randn(164, 2, 3, 4));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Softmax_and_LogSoftmax_gradient(long dim)
    {
        using var scope = new TensorScope();
        Tensor x = T64.Randn(171, 2, 3, 4);
        GradCheck.Check(t => Functional.Softmax(t[0], dim), x);
        GradCheck.Check(t => Functional.LogSoftmax(t[0], dim), x);
    }

    [Fact]
    public void Activation_functions_through_Functional()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Uniform(172, -3, 3, 2, 5);
        GradCheck.Check(t => Functional.Silu(t[0]), x);
        GradCheck.Check(t => Functional.Gelu(t[0]), x);
        GradCheck.Check(t => Functional.Gelu(t[0], tanhApproximation: true), x);
    }

    [Fact]
    public void ScaledDotProductAttention_gradient_without_mask()
    {
        using var scope = new TensorScope();
        GradCheck.Check(
            t => Functional.ScaledDotProductAttention(t[0], t[1], t[2]),
            T64.Randn(181, 2, 3, 4), T64.Randn(182, 2, 5, 4), T64.Randn(183, 2, 5, 3));
    }

    [Fact]
    public void ScaledDotProductAttention_gradient_with_additive_mask()
    {
        using var scope = new TensorScope();
        Tensor mask = T64.Randn(184, 3, 5);
        GradCheck.Check(
            t => Functional.ScaledDotProductAttention(t[0], t[1], t[2], mask),
            T64.Randn(185, 2, 3, 4), T64.Randn(186, 2, 5, 4), T64.Randn(187, 2, 5, 3));
    }

    [Fact]
    public void ScaledDotProductAttention_gradient_with_boolean_mask()
    {
        using var scope = new TensorScope();
        Tensor mask = T64.Bools(
            [true, false, true, true, false,
             false, true, false, true, true,
             true, true, true, false, false], 3, 5);
        GradCheck.Check(
            t => Functional.ScaledDotProductAttention(t[0], t[1], t[2], mask),
            T64.Randn(188, 1, 2, 3, 4), T64.Randn(189, 1, 2, 5, 4), T64.Randn(190, 1, 2, 5, 3));
    }

    [Fact]
    public void ScaledDotProductAttention_gradient_causal()
    {
        using var scope = new TensorScope();
        GradCheck.Check(
            t => Functional.ScaledDotProductAttention(t[0], t[1], t[2], isCausal: true),
            T64.Randn(191, 2, 4, 3), T64.Randn(192, 2, 4, 3), T64.Randn(193, 2, 4, 2));
    }

    [Fact]
    public void Embedding_gradient_with_respect_to_weight_accumulates_repeated_rows()
    {
        using var scope = new TensorScope();
        Tensor indices = T64.Longs([0, 3, 3, 1, 4, 0], 2, 3);
        GradCheck.Check(t => Functional.Embedding(indices, t[0]), T64.Randn(201, 5, 3));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AffineGrid_gradient_with_respect_to_theta(bool alignCorners)
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Functional.AffineGrid(t[0], [2, 1, 3, 4], alignCorners), T64.Randn(211, 2, 2, 3));
    }

    [Theory]
    [InlineData(GridSamplePadding.Zeros, false)]
    [InlineData(GridSamplePadding.Border, true)]
    [InlineData(GridSamplePadding.Reflection, false)]
    public void GridSample_bilinear_gradient_with_respect_to_input_and_grid(GridSamplePadding padding, bool alignCorners)
    {
        using var scope = new TensorScope();
        Tensor input = T64.Randn(221, 1, 2, 3, 4);
        Tensor grid = T64.Uniform(222, -0.95, 0.95, 1, 2, 3, 2);
        GradCheck.Check(t => Functional.GridSample(t[0], t[1], GridSampleMode.Bilinear, padding, alignCorners), input, grid);
    }

    [Fact]
    public void AffineGrid_then_GridSample_gradient_with_respect_to_theta()
    {
        using var scope = new TensorScope();
        Tensor input = T64.Randn(231, 1, 1, 4, 4);
        Tensor theta = T64.Of([0.9, 0.1, 0.05, -0.15, 0.8, 0.1], 1, 2, 3);
        GradCheck.Check(t => Functional.GridSample(input, Functional.AffineGrid(t[0], [1, 1, 3, 3])), theta);
    }
}
