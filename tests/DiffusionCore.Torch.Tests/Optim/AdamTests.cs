using DiffusionCore.Torch.Optim;

namespace DiffusionCore.Torch.Tests.Optim;

/// <summary>Adam/AdamW against the closed form on f(θ) = Σ (θ − c)², so g = 2(θ − c), in float64.</summary>
public class AdamTests
{
    private static readonly double[] Start = [1.0, -2.0, 0.5];
    private static readonly double[] Target = [0.25, 0.5, 3.0];

    private static void ComputeQuadraticGradient(Tensor theta)
    {
        using var scope = new TensorScope();
        Tensor c = Tensor.FromArray(Target);
        (theta - c).Square().Sum().Backward();
    }

    /// <summary>Kingma &amp; Ba Algorithm 1 for one coordinate, with PyTorch's L2 or decoupled decay.</summary>
    private static double[] Reference(int steps, double lr, double b1, double b2, double eps, double wd, bool decoupled, bool amsgrad = false)
    {
        var theta = (double[])Start.Clone();
        for (int j = 0; j < theta.Length; j++)
        {
            double m = 0, v = 0, vmax = 0;
            for (int t = 1; t <= steps; t++)
            {
                double grad = 2 * (theta[j] - Target[j]);
                if (decoupled) theta[j] *= 1 - lr * wd;
                else grad += wd * theta[j];
                m = b1 * m + (1 - b1) * grad;
                v = b2 * v + (1 - b2) * grad * grad;
                vmax = Math.Max(vmax, v);
                double vhat = (amsgrad ? vmax : v) / (1 - Math.Pow(b2, t));
                theta[j] -= lr * (m / (1 - Math.Pow(b1, t))) / (Math.Sqrt(vhat) + eps);
            }
        }

        return theta;
    }

    private static double[] Run(Optimizer opt, Tensor theta, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            opt.ZeroGrad();
            ComputeQuadraticGradient(theta);
            opt.Step();
        }

        return theta.ToArray<double>();
    }

    [Fact]
    public void First_step_moves_every_coordinate_by_lr_against_the_gradient_sign()
    {
        using var scope = new TensorScope();
        Tensor theta = Tensor.FromArray((double[])Start.Clone()).RequiresGradInPlace();
        using var adam = new Adam([theta], new AdamOptions { LearningRate = 0.1 });
        double[] after = Run(adam, theta, 1);
        // m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε) ≈ lr·sign(g); the gradient signs are (+, −, −).
        after.Should().Equal([0.9, -1.9, 0.6], (a, e) => Math.Abs(a - e) < 1e-8);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Three_steps_match_the_closed_form(bool amsgrad)
    {
        using var scope = new TensorScope();
        Tensor theta = Tensor.FromArray((double[])Start.Clone()).RequiresGradInPlace();
        using var adam = new Adam([theta], new AdamOptions { LearningRate = 0.05, Beta1 = 0.8, Beta2 = 0.95, Eps = 1e-6, Amsgrad = amsgrad });
        double[] expected = Reference(3, 0.05, 0.8, 0.95, 1e-6, 0, decoupled: false, amsgrad);
        Run(adam, theta, 3).Should().Equal(expected, (a, e) => Math.Abs(a - e) < 1e-12);
    }

    [Fact]
    public void Adam_weight_decay_adds_an_L2_term_to_the_gradient()
    {
        using var scope = new TensorScope();
        Tensor theta = Tensor.FromArray((double[])Start.Clone()).RequiresGradInPlace();
        using var adam = new Adam([theta], new AdamOptions { LearningRate = 0.05, WeightDecay = 0.3 });
        double[] expected = Reference(3, 0.05, 0.9, 0.999, 1e-8, 0.3, decoupled: false);
        Run(adam, theta, 3).Should().Equal(expected, (a, e) => Math.Abs(a - e) < 1e-12);
    }

    [Fact]
    public void AdamW_decays_the_weights_directly()
    {
        using var scope = new TensorScope();
        Tensor theta = Tensor.FromArray((double[])Start.Clone()).RequiresGradInPlace();
        using var adamw = new AdamW([theta], new AdamWOptions { LearningRate = 0.05, WeightDecay = 0.3 });
        double[] expected = Reference(3, 0.05, 0.9, 0.999, 1e-8, 0.3, decoupled: true);
        Run(adamw, theta, 3).Should().Equal(expected, (a, e) => Math.Abs(a - e) < 1e-12);
    }

    [Fact]
    public void AdamW_with_zero_gradient_only_shrinks_by_one_minus_lr_times_decay()
    {
        using var scope = new TensorScope();
        Tensor theta = Tensor.FromArray(new[] { 2.0, -4.0 }).RequiresGradInPlace();
        using var adamw = new AdamW([theta], new AdamWOptions { LearningRate = 0.1, WeightDecay = 0.5 });
        new AdamWOptions().WeightDecay.Should().Be(0.01, "PyTorch's AdamW default");
        for (int i = 0; i < 2; i++)
        {
            theta.SetGrad(Tensor.Zeros([2], DType.Float64));
            adamw.Step();
        }

        theta.ToArray<double>().Should().Equal(2.0 * 0.95 * 0.95, -4.0 * 0.95 * 0.95);
    }

    [Fact]
    public void Maximize_ascends()
    {
        using var scope = new TensorScope();
        Tensor theta = Tensor.FromArray((double[])Start.Clone()).RequiresGradInPlace();
        using var adam = new Adam([theta], new AdamOptions { LearningRate = 0.1, Maximize = true });
        Run(adam, theta, 1).Should().Equal([1.1, -2.1, 0.4], (a, e) => Math.Abs(a - e) < 1e-8);
    }

    [Fact]
    public void Parameter_groups_use_their_own_learning_rates_and_follow_changes_between_steps()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.FromArray(new[] { 1.0 }).RequiresGradInPlace();
        Tensor b = Tensor.FromArray(new[] { 1.0 }).RequiresGradInPlace();
        var defaults = new AdamOptions { LearningRate = 0.1 };
        using var adam = new Adam([new ParameterGroup([a], defaults), new ParameterGroup([b], defaults with { LearningRate = 0.01 })]);
        defaults.LearningRate = 123; // groups hold copies

        void Step()
        {
            adam.ZeroGrad();
            (a + b).Sum().Backward(); // gradient 1 for both: every Adam step moves by lr (up to ε)
            adam.Step();
        }

        Step();
        a.ToDouble().Should().BeApproximately(0.9, 1e-7);
        b.ToDouble().Should().BeApproximately(0.99, 1e-7);
        adam.ParameterGroups[1].LearningRate = 0.5;
        Step();
        a.ToDouble().Should().BeApproximately(0.8, 1e-7);
        b.ToDouble().Should().BeApproximately(0.49, 1e-7);
        adam.SetLearningRate(0.001);
        Step();
        a.ToDouble().Should().BeApproximately(0.799, 1e-7);
        b.ToDouble().Should().BeApproximately(0.489, 1e-7);
    }

    [Fact]
    public void A_parameter_without_gradient_is_skipped_and_its_own_step_count_starts_later()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.FromArray(new[] { 1.0 }).RequiresGradInPlace();
        Tensor b = Tensor.FromArray(new[] { 1.0 }).RequiresGradInPlace();
        using var adam = new Adam([a, b], new AdamOptions { LearningRate = 0.1 });

        a.Sum().Backward();
        adam.Step();
        b.ToDouble().Should().Be(1.0);
        adam.StateDict().Metadata.Should().ContainKey("state.0.step").And.NotContainKey("state.1.step");

        adam.ZeroGrad();
        (a + b).Sum().Backward();
        adam.Step();

        // b's first update is a first Adam step (bias correction for t = 1), so it moves by lr.
        b.ToDouble().Should().BeApproximately(0.9, 1e-7);
        OptimizerState state = adam.StateDict();
        state.Metadata["state.0.step"].Should().Be("2");
        state.Metadata["state.1.step"].Should().Be("1");
    }
}
