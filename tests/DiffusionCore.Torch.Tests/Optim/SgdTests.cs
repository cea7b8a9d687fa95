using DiffusionCore.Torch.Optim;

namespace DiffusionCore.Torch.Tests.Optim;

/// <summary>SGD on f(θ) = ½‖θ‖² (g = θ), where every step multiplies θ₀ by a number computable by hand.</summary>
public class SgdTests
{
    private static readonly double[] Start = [1.0, -2.0, 4.0];

    /// <summary>Runs one step per expected factor and checks θ = factor·θ₀ after each.</summary>
    private static void AssertFactors(SgdOptions options, double[] expectedFactors)
    {
        using var scope = new TensorScope();
        Tensor theta = Tensor.FromArray((double[])Start.Clone()).RequiresGradInPlace();
        using var sgd = new Sgd([theta], options);
        for (int i = 0; i < expectedFactors.Length; i++)
        {
            sgd.ZeroGrad();
            using (new TensorScope())
            {
                (theta.Square().Sum() * 0.5).Backward();
            }

            sgd.Step();
            theta.ToArray<double>().Should().Equal(Start.Select(s => s * expectedFactors[i]), (a, e) => Math.Abs(a - e) < 1e-12);
        }
    }

    [Fact]
    public void Momentum_matches_the_hand_computed_sequence()
    {
        // b₁ = θ₀, θ₁ = 0.9θ₀; b₂ = 0.9·θ₀ + 0.9θ₀ = 1.8θ₀, θ₂ = 0.72θ₀; b₃ = 1.62θ₀ + 0.72θ₀ = 2.34θ₀, θ₃ = 0.486θ₀.
        double[] expected = [0.9, 0.72, 0.486];
        AssertFactors(new SgdOptions { LearningRate = 0.1, Momentum = 0.9 }, expected);
    }

    [Fact]
    public void Nesterov_matches_the_hand_computed_sequence()
    {
        // b₁ = θ₀, g = θ₀ + 0.9b₁ = 1.9θ₀, θ₁ = 0.81θ₀; b₂ = 0.9θ₀ + 0.81θ₀ = 1.71θ₀, g = 0.81θ₀ + 1.539θ₀, θ₂ = 0.5751θ₀.
        double[] expected = [0.81, 0.5751];
        AssertFactors(new SgdOptions { LearningRate = 0.1, Momentum = 0.9, Nesterov = true }, expected);
    }

    [Fact]
    public void Dampening_applies_from_the_second_update_on()
    {
        // b₁ = θ₀ (no dampening on creation), θ₁ = 0.9θ₀; b₂ = 0.9θ₀ + 0.5·0.9θ₀ = 1.35θ₀, θ₂ = 0.765θ₀.
        double[] expected = [0.9, 0.765];
        AssertFactors(new SgdOptions { LearningRate = 0.1, Momentum = 0.9, Dampening = 0.5 }, expected);
    }

    [Fact]
    public void Plain_sgd_with_weight_decay_scales_by_one_minus_lr_times_one_plus_decay()
    {
        double[] expected = [0.89, 0.89 * 0.89];
        AssertFactors(new SgdOptions { LearningRate = 0.1, WeightDecay = 0.1 }, expected);
    }

    [Fact]
    public void Invalid_options_are_rejected_up_front()
    {
        using var scope = new TensorScope();
        Tensor theta = Tensor.Zeros([1]).RequiresGradInPlace();
        FluentActions.Invoking(() => new Sgd([theta], new SgdOptions { Nesterov = true })).Should().Throw<ArgumentException>().WithMessage("*Nesterov*");
        FluentActions.Invoking(() => new Sgd([theta], new SgdOptions { LearningRate = -1 })).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new Adam([theta], new AdamOptions { Beta2 = 1 })).Should().Throw<ArgumentOutOfRangeException>();
    }
}
