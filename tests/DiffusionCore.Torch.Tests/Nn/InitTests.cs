using DiffusionCore.Torch.Nn;
using static DiffusionCore.Torch.Tests.Nn.TestData;

namespace DiffusionCore.Torch.Tests.Nn;

public class InitTests
{
    // Relative standard error of a sample standard deviation is about 1/sqrt(2n) (normal) and smaller for uniform
    // samples; with n >= 65536 that is <= 0.3 %, so a 2 % tolerance is over 6 standard errors.
    private const double StdTolerance = 0.02;

    [Fact]
    public void CalculateGain_matches_torch_nn_init()
    {
        Init.CalculateGain(Nonlinearity.Linear).Should().Be(1);
        Init.CalculateGain(Nonlinearity.Conv).Should().Be(1);
        Init.CalculateGain(Nonlinearity.Sigmoid).Should().Be(1);
        Init.CalculateGain(Nonlinearity.Tanh).Should().BeApproximately(5.0 / 3, 1e-15);
        Init.CalculateGain(Nonlinearity.Relu).Should().BeApproximately(Math.Sqrt(2), 1e-15);
        Init.CalculateGain(Nonlinearity.LeakyRelu).Should().BeApproximately(Math.Sqrt(2 / (1 + 0.01 * 0.01)), 1e-15);
        Init.CalculateGain(Nonlinearity.LeakyRelu, Math.Sqrt(5)).Should().BeApproximately(Math.Sqrt(1.0 / 3), 1e-15);
        Init.CalculateGain(Nonlinearity.Selu).Should().Be(0.75);
    }

    [Fact]
    public void Fans_are_channel_counts_times_receptive_field()
    {
        using var scope = new TensorScope();
        Init.CalculateFanInAndFanOut(Tensor.Empty([64, 32, 3, 5])).Should().Be((32L * 15, 64L * 15));
        Init.CalculateFanInAndFanOut(Tensor.Empty([10, 20])).Should().Be((20L, 10L));
        FluentActions.Invoking(() => Init.CalculateFanInAndFanOut(Tensor.Empty([10])))
            .Should().Throw<ArgumentException>().WithMessage("*fewer than 2 dimensions*");
    }

    [Fact]
    public void XavierUniform_has_bound_gain_sqrt_6_over_fan_sum_and_matching_std()
    {
        using var scope = new TensorScope();
        using var g = new Generator(11);
        Tensor w = Init.XavierUniform(Tensor.Empty([256, 512]), gain: 1.5, generator: g);
        double bound = 1.5 * Math.Sqrt(6.0 / (256 + 512));
        F(w).Should().OnlyContain(v => Math.Abs(v) <= bound);
        w.Abs().Max().ToDouble().Should().BeGreaterThan(0.99 * bound);
        w.Std().ToDouble().Should().BeApproximately(bound / Math.Sqrt(3), StdTolerance * bound / Math.Sqrt(3));
    }

    [Fact]
    public void XavierNormal_has_std_gain_sqrt_2_over_fan_sum()
    {
        using var scope = new TensorScope();
        using var g = new Generator(12);
        Tensor w = Init.XavierNormal(Tensor.Empty([128, 64, 3, 3]), gain: 2, generator: g);
        double std = 2 * Math.Sqrt(2.0 / (64 * 9 + 128 * 9));
        w.Std().ToDouble().Should().BeApproximately(std, StdTolerance * std);
        w.Mean().ToDouble().Should().BeApproximately(0, 0.01 * std);
    }

    [Fact]
    public void KaimingUniform_defaults_to_leaky_relu_with_slope_zero_over_fan_in()
    {
        using var scope = new TensorScope();
        using var g = new Generator(13);
        Tensor w = Init.KaimingUniform(Tensor.Empty([512, 256]), generator: g);
        double std = Math.Sqrt(2) / Math.Sqrt(256);
        double bound = Math.Sqrt(3) * std;
        F(w).Should().OnlyContain(v => Math.Abs(v) <= bound);
        w.Std().ToDouble().Should().BeApproximately(std, StdTolerance * std);
    }

    [Fact]
    public void KaimingNormal_fan_out_relu_has_std_sqrt_2_over_fan_out()
    {
        using var scope = new TensorScope();
        using var g = new Generator(14);
        Tensor w = Init.KaimingNormal(Tensor.Empty([64, 32, 3, 3]), mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, generator: g);
        double std = Math.Sqrt(2) / Math.Sqrt(64 * 9);
        w.Std().ToDouble().Should().BeApproximately(std, StdTolerance * std * 2); // 18432 samples: ~0.5 % standard error
    }

    [Fact]
    public void Simple_fills_and_seeded_draws_are_reproducible()
    {
        using var scope = new TensorScope();
        F(Init.Zeros(Tensor.Empty([3]))).Should().Equal(0f, 0f, 0f);
        F(Init.Ones(Tensor.Empty([2]))).Should().Equal(1f, 1f);
        F(Init.Constant(Tensor.Empty([2]), 0.5)).Should().Equal(0.5f, 0.5f);
        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        F(Init.Normal(Tensor.Empty([100]), 1, 2, g1)).Should().Equal(F(Init.Normal(Tensor.Empty([100]), 1, 2, g2)));
        float[] u = F(Init.Uniform(Tensor.Empty([1000]), -0.5, 0.25, g1));
        u.Should().OnlyContain(v => v >= -0.5f && v <= 0.25f);
    }

    [Fact]
    public void Init_works_on_parameters_that_require_grad_without_recording_it()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        Tensor p = Tensor.Empty([8, 4]).RequiresGradInPlace();
        Init.XavierUniform(p, generator: g);
        Init.Zeros(p);
        p.IsLeaf.Should().BeTrue();
        p.RequiresGrad.Should().BeTrue();
        Init.KaimingNormal(Tensor.Empty([0, 4])).NumElements.Should().Be(0, "zero-element tensors are a no-op, as in PyTorch");
    }
}
