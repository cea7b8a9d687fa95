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

    [Theory]
    [InlineData(new long[] { 1 })]
    [InlineData(new long[] { 1, 2, 3 })]
    [InlineData(new long[] { 2 })]
    public void Normalize_matches_the_norm_formula_and_its_gradient_in_float64(long[] dims)
    {
        // Oracle: EDM2's normalize written with linalg.vector_norm and a division, evaluated in float64 by libtorch's
        // autograd; Normalize takes the mean square in float32, so the two agree to float32 rounding.
        using var scope = new TensorScope();
        using var g = new Generator(3);
        Tensor x0 = Tensor.Randn([4, 8, 5, 6], g, DType.Float64).Mul(3);
        Tensor weights = Tensor.Randn([4, 8, 5, 6], g, DType.Float64);
        long reduced = dims.Aggregate(1L, (n, d) => n * x0.Size((int)d));

        Tensor x = x0.Clone().RequiresGradInPlace();
        Tensor y = MagnitudePreserving.Normalize(x, dims);
        y.Mul(weights).Sum().Backward();

        Tensor xr = x0.Clone().RequiresGradInPlace();
        Tensor yr = xr.Div(xr.Norm(2, dims, keepDim: true).Mul(Math.Sqrt(1.0 / reduced)).Add(MagnitudePreserving.DefaultEpsilon));
        yr.Mul(weights).Sum().Backward();

        y.DType.Should().Be(DType.Float64);
        (y - yr).Abs().Max().ToDouble().Should().BeLessThan(1e-6);
        (x.Grad! - xr.Grad!).Abs().Max().ToDouble().Should().BeLessThan(1e-6 * xr.Grad!.Abs().Max().ToDouble());
    }

    [Fact]
    public void Normalize_of_an_all_zero_vector_is_zero_with_the_norms_zero_subgradient()
    {
        // ‖·‖ is not differentiable at 0; libtorch's vector_norm backward uses the subgradient 0 there, so
        // d normalize(x)/dx = I/ε at x = 0. A square root of the mean square without a floor would give 0·∞ = NaN.
        using var scope = new TensorScope();
        using var g = new Generator(4);
        Tensor x = Tensor.Randn([2, 3, 4, 4], g);
        x.Narrow(0, 1, 1).ZeroInPlace();
        x.RequiresGradInPlace();
        Tensor upstream = Tensor.Randn([2, 3, 4, 4], g);
        Tensor y = MagnitudePreserving.PixelNorm(x);
        y.Mul(upstream).Sum().Backward();

        y.Narrow(0, 1, 1).Abs().Max().ToDouble().Should().Be(0);
        Tensor zeroGrad = x.Grad!.Narrow(0, 1, 1);
        zeroGrad.IsFinite().All().ToBoolean().Should().BeTrue();
        Tensor expected = upstream.Narrow(0, 1, 1).Div(MagnitudePreserving.DefaultEpsilon);
        ((zeroGrad - expected).Abs().Max().ToDouble() / expected.Abs().Max().ToDouble()).Should().BeLessThan(1e-6);
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
    [InlineData(1.5)]
    [InlineData(-0.2)]
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
        FluentActions.Invoking(() => MagnitudePreserving.SumWeights(double.NaN)).Should().Throw<ArgumentOutOfRangeException>();
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
