using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Torch.Tests.Optim;

public class GradientUtilsTests
{
    private static (Tensor A, Tensor B) WithGradients(double[] ga, double[] gb, DType dtype = DType.Float32)
    {
        Tensor a = Tensor.Zeros([ga.Length], dtype).RequiresGradInPlace();
        Tensor b = Tensor.Zeros([gb.Length], dtype).RequiresGradInPlace();
        a.SetGrad(Tensor.FromArray(ga).To(dtype));
        b.SetGrad(Tensor.FromArray(gb).To(dtype));
        return (a, b);
    }

    [Fact]
    public void ClipGradNorm_returns_the_total_two_norm_and_scales_to_the_maximum()
    {
        using var scope = new TensorScope();
        (Tensor a, Tensor b) = WithGradients([3, 4], [12]);
        double total = GradientUtils.ClipGradNorm([a, b], maxNorm: 6.5);
        total.Should().BeApproximately(13, 1e-5); // √(9 + 16 + 144)
        double coef = 6.5 / (13 + 1e-6);
        a.Grad!.ToArray<float>().Should().Equal([(float)(3 * coef), (float)(4 * coef)], (x, e) => Math.Abs(x - e) < 1e-6);
        b.Grad!.ToArray<float>()[0].Should().BeApproximately((float)(12 * coef), 1e-5f);
    }

    [Fact]
    public void ClipGradNorm_leaves_small_gradients_alone_and_supports_the_max_norm()
    {
        using var scope = new TensorScope();
        (Tensor a, Tensor b) = WithGradients([3, -4], [-12]);
        GradientUtils.ClipGradNorm([a, b], maxNorm: 100).Should().BeApproximately(13, 1e-5);
        a.Grad!.ToArray<float>().Should().Equal(3f, -4f);
        GradientUtils.ClipGradNorm([a, b], maxNorm: 6, normType: double.PositiveInfinity).Should().Be(12);
        b.Grad!.ToArray<float>()[0].Should().BeApproximately(-6f, 1e-5f);
        GradientUtils.ClipGradNorm([a, b], maxNorm: 1, normType: 1).Should().BeApproximately(1.5 + 2 + 6, 1e-5);
    }

    [Fact]
    public void ClipGradNorm_computes_float64_norms_in_float64()
    {
        using var scope = new TensorScope();
        (Tensor a, Tensor b) = WithGradients([1.0 / 3, 2.0 / 3], [1e-3], DType.Float64);
        double expected = Math.Sqrt((1.0 / 9) + (4.0 / 9) + 1e-6);
        GradientUtils.ClipGradNorm([a, b], maxNorm: 10).Should().BeApproximately(expected, 1e-15);
    }

    [Fact]
    public void ClipGradNorm_without_gradients_returns_zero()
    {
        using var scope = new TensorScope();
        Tensor p = Tensor.Zeros([3]).RequiresGradInPlace();
        GradientUtils.ClipGradNorm([p], 1).Should().Be(0);
    }

    [Fact]
    public void NanToNumGradients_replaces_nan_and_infinities_by_zero()
    {
        using var scope = new TensorScope();
        (Tensor a, Tensor b) = WithGradients([double.NaN, double.PositiveInfinity, double.NegativeInfinity, 2], [-1]);
        Tensor noGrad = Tensor.Zeros([1]).RequiresGradInPlace();
        GradientUtils.NanToNumGradients([a, b, noGrad]);
        a.Grad!.ToArray<float>().Should().Equal(0f, 0f, 0f, 2f);
        b.Grad!.ToArray<float>().Should().Equal(-1f);
        noGrad.Grad.Should().BeNull();
    }
}
