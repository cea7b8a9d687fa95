using DiffusionCore.Torch;
using DiffusionCore.Training.Ema;

namespace DiffusionCore.Training.Tests.Ema;

public class PowerFunctionEmaTests
{
    [Theory]
    [InlineData(0.05, 16.97)]
    [InlineData(0.10, 6.94)]
    public void SigmaRelToGamma_matches_the_EDM2_values(double sigmaRel, double expectedGamma)
    {
        PowerFunctionEma.SigmaRelToGamma(sigmaRel).Should().BeApproximately(expectedGamma, 0.005);
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.05)]
    [InlineData(0.075)]
    [InlineData(0.10)]
    [InlineData(0.2)]
    [InlineData(0.28)]
    public void SigmaRel_gamma_round_trip_and_root_of_the_cubic(double sigmaRel)
    {
        double gamma = PowerFunctionEma.SigmaRelToGamma(sigmaRel);
        gamma.Should().BePositive();
        PowerFunctionEma.GammaToSigmaRel(gamma).Should().BeApproximately(sigmaRel, 1e-14);
        double s2 = 1 / (sigmaRel * sigmaRel);
        double cubic = gamma * gamma * gamma + 7 * gamma * gamma + (16 - s2) * gamma + (12 - s2);
        Math.Abs(cubic).Should().BeLessThan(1e-9 * s2 * gamma);
    }

    [Fact]
    public void GammaToSigmaRel_closed_form()
    {
        // γ = 0: uniform average, σ_rel = √(1/12).
        PowerFunctionEma.GammaToSigmaRel(0).Should().BeApproximately(PowerFunctionEma.MaxSigmaRel, 1e-15);
        // γ = 1: √(2 / (9·4)) = √(1/18).
        PowerFunctionEma.GammaToSigmaRel(1).Should().BeApproximately(Math.Sqrt(1.0 / 18), 1e-15);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(0.2887)]
    [InlineData(0.29)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Invalid_sigma_rel_is_rejected_with_a_clear_message(double sigmaRel)
    {
        Action solve = () => PowerFunctionEma.SigmaRelToGamma(sigmaRel);
        solve.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*σ_rel must be in (0, 1/√12 ≈ 0.2887)*");

        Action options = () => new PowerEmaOptions { SigmaRel = sigmaRel }.Validate();
        options.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*0.2887*").Which.ParamName.Should().Be("SigmaRel");

        using var scope = new TensorScope();
        using var net = new ScalarModule();
        Action tracker = () => new PowerEmaTracker(net, new PowerEmaOptions { SigmaRel = sigmaRel }).Dispose();
        tracker.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*σ_rel must be in*");
        Action set = () => PowerEmaTracker.CreateSet(net, [0.05, sigmaRel]);
        set.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Beta_is_zero_at_the_first_step_and_follows_the_power_law()
    {
        PowerFunctionEma.Beta(6.94, 32, 32).Should().Be(0);
        PowerFunctionEma.Beta(3, 40, 10).Should().BeApproximately(Math.Pow(0.75, 4), 1e-15);
        Action bad = () => PowerFunctionEma.Beta(3, 5, 10);
        bad.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*cannot be less than the batch*");
    }
}
