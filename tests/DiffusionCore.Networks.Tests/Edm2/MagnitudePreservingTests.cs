using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.Edm2;

/// <summary>The MP primitives keep unit-variance inputs at unit variance (Karras et al. 2024, Section 2.4).</summary>
public class MagnitudePreservingTests
{
    [Fact]
    public void Normalize_gives_unit_rms_over_the_given_dimensions()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        Tensor x = Tensor.Randn([4, 8, 3, 3], g).Mul(5);
        Tensor n = MagnitudePreserving.Normalize(x);
        Tensor rms = n.Square().Mean([1, 2, 3]).Sqrt();
        (rms - 1).Abs().Max().ToDouble().Should().BeLessThan(1e-3);

        Tensor p = MagnitudePreserving.PixelNorm(x);
        (p.Square().Mean([1]).Sqrt() - 1).Abs().Max().ToDouble().Should().BeLessThan(1e-3);
    }

    [Fact]
    public void Silu_sum_and_cat_preserve_unit_variance()
    {
        using var scope = new TensorScope();
        using var g = new Generator(2);
        Tensor a = Tensor.Randn([64, 64, 64], g);
        Tensor b = Tensor.Randn([64, 32, 64], g);
        Tensor b2 = Tensor.Randn([64, 64, 64], g);

        Variance(MagnitudePreserving.Silu(a)).Should().BeApproximately(1, 0.02);
        Variance(MagnitudePreserving.Sum(a, b2, 0.3)).Should().BeApproximately(1, 0.02);
        Tensor cat = MagnitudePreserving.Cat(a, b, 0.5);
        cat.Shape.Should().Equal(64, 96, 64);
        Variance(cat).Should().BeApproximately(1, 0.02);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.5)]
    [InlineData(0.0)]
    public void Sum_weights_are_the_weights_sum_applies(double t)
    {
        (double wa, double wb) = MagnitudePreserving.SumWeights(t);
        ((wa * wa) + (wb * wb)).Should().BeApproximately(1, 1e-12);
        using var scope = new TensorScope();
        using var g = new Generator(5);
        Tensor a = Tensor.Randn([4, 8], g);
        Tensor b = Tensor.Randn([4, 8], g);
        Tensor folded = b.Mul(wb).Add(a, wa);
        (MagnitudePreserving.Sum(a, b, t) - folded).Abs().Max().ToDouble().Should().BeLessThan(1e-6);
        FluentActions.Invoking(() => MagnitudePreserving.SumWeights(1.5)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Fourier_features_and_mp_conv_have_unit_magnitude()
    {
        using var scope = new TensorScope();
        using var g = new Generator(3);
        using var fourier = new MPFourier(256, g);
        Tensor f = fourier.Forward(Tensor.Randn([512], g));
        f.Shape.Should().Equal(512, 256);
        Variance(f).Should().BeApproximately(1, 0.05);

        using var conv = MPConv.Conv(32, 16, 3, g);
        conv.Eval();
        Tensor y = conv.Forward(Tensor.Randn([8, 32, 16, 16], g));
        y.Shape.Should().Equal(8, 16, 16, 16);
        Variance(y.Narrow(2, 1, 14).Narrow(3, 1, 14)).Should().BeApproximately(1, 0.05);

        using var linear = MPConv.Linear(32, 16, g);
        linear.Forward(Tensor.Randn([4, 32], g), 0.0).Abs().Max().ToDouble().Should().Be(0);
    }

    private static double Variance(Tensor t) => t.Square().Mean().ToDouble();
}
