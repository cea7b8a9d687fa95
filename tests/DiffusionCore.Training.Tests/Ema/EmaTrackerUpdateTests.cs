using DiffusionCore.Torch;
using DiffusionCore.Training.Ema;

namespace DiffusionCore.Training.Tests.Ema;

public class EmaTrackerUpdateTests
{
    private static readonly double[] Thetas = [1.0, 3.0, -2.0, 5.0, 4.0, 0.5, 2.0, 7.0];

    /// <summary>Runs the tracker over θ_k = Thetas[k] with a fixed batch, returning the averages after each step.</summary>
    private static List<float> Run(Func<ScalarModule, EmaTracker> create, long batch, double initial)
    {
        using var scope = new TensorScope();
        using var net = new ScalarModule(initial);
        using EmaTracker tracker = create(net);
        using var target = new ScalarModule(-100);
        var result = new List<float>();
        for (int k = 0; k < Thetas.Length; k++)
        {
            net.Set(Thetas[k], k + 1);
            tracker.Update(net, (k + 1) * batch, batch);
            tracker.CopyTo(target);
            target.Steps.Should().Be(k + 1, "buffers are copied at every update");
            result.Add(target.W);
        }

        return result;
    }

    private static void ShouldFollow(List<float> actual, double initial, Func<long, double> beta, long batch)
    {
        double avg = initial;
        for (int k = 0; k < Thetas.Length; k++)
        {
            double b = beta((k + 1) * batch);
            avg = b * avg + (1 - b) * Thetas[k];
            actual[k].Should().BeApproximately((float)avg, 2e-6f, $"step {k + 1}");
        }
    }

    [Fact]
    public void Power_ema_matches_the_hand_computed_sequence()
    {
        const long batch = 4;
        double gamma = PowerFunctionEma.SigmaRelToGamma(0.10);
        List<float> actual = Run(n => new PowerEmaTracker(n, new PowerEmaOptions { SigmaRel = 0.10 }), batch, initial: 42);
        actual[0].Should().Be(1f, "β = 0 at the first step: the average becomes an exact copy");
        ShouldFollow(actual, 42, n => Math.Pow(1 - (double)batch / n, gamma + 1), batch);

        // Two steps by hand: γ+1 = 7.94…, β₂ = (1 − 4/8)^{γ+1}.
        double b2 = Math.Pow(0.5, gamma + 1);
        actual[1].Should().BeApproximately((float)(b2 * 1 + (1 - b2) * 3), 1e-6f);
    }

    [Fact]
    public void Traditional_ema_matches_the_hand_computed_sequence_with_and_without_ramp()
    {
        const long batch = 4;
        // Without ramp: half-life 8 images, batch 4 → β = 0.5^(1/2) at every step.
        List<float> plain = Run(n => new TraditionalEmaTracker(n, new TraditionalEmaOptions { HalfLifeImages = 8, RampUpRatio = null }), batch, initial: 2);
        ShouldFollow(plain, 2, _ => Math.Sqrt(0.5), batch);
        plain[0].Should().BeApproximately((float)(Math.Sqrt(0.5) * 2 + (1 - Math.Sqrt(0.5)) * 1), 1e-6f);

        // Ramp 0.5: h = min(10, 0.5·n) → 2, 4, 6, 8, 10, 10, …
        List<float> ramp = Run(n => new TraditionalEmaTracker(n, new TraditionalEmaOptions { HalfLifeImages = 10, RampUpRatio = 0.5 }), batch, initial: 2);
        ShouldFollow(ramp, 2, n => Math.Pow(0.5, batch / Math.Min(10, 0.5 * n)), batch);
    }

    [Fact]
    public void Constant_ema_matches_the_hand_computed_sequence()
    {
        List<float> actual = Run(n => new ConstantEmaTracker(n, new ConstantEmaOptions { Decay = 0.9 }), batch: 16, initial: 3);
        ShouldFollow(actual, 3, _ => 0.9, 16);
        actual[0].Should().BeApproximately(0.9f * 3 + 0.1f * 1, 1e-6f);
    }

    [Fact]
    public void Defaults_and_names()
    {
        using var scope = new TensorScope();
        using var net = new ScalarModule();
        using var traditional = new TraditionalEmaTracker(net);
        using var constant = new ConstantEmaTracker(net);
        IReadOnlyList<PowerEmaTracker> set = PowerEmaTracker.CreateSet(net);
        try
        {
            traditional.Name.Should().Be("ema");
            traditional.Beta(1_000_000_000, 2048).Should().BeApproximately(Math.Pow(0.5, 2048 / 500_000.0), 1e-15);
            constant.Name.Should().Be("ema-0.9999");
            constant.Beta(10, 1).Should().Be(0.9999);
            set.Select(t => t.Name).Should().Equal("phema-0.050", "phema-0.100");
            set[0].Gamma.Should().BeApproximately(16.97, 0.005);
            traditional.ParameterKeys.Should().Equal("w");
            traditional.BufferKeys.Should().Equal(["steps"], "non-persistent buffers are not part of the state");
        }
        finally
        {
            foreach (PowerEmaTracker t in set)
            {
                t.Dispose();
            }
        }
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        FluentActions.Invoking(() => new TraditionalEmaOptions { HalfLifeImages = 0 }.Validate()).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*half-life*");
        FluentActions.Invoking(() => new TraditionalEmaOptions { RampUpRatio = -1 }.Validate()).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*ramp-up*");
        FluentActions.Invoking(() => new ConstantEmaOptions { Decay = 1 }.Validate()).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[0, 1)*");
        FluentActions.Invoking(() => new PowerEmaOptions { Name = " " }.Validate()).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void A_network_of_another_architecture_is_refused()
    {
        using var scope = new TensorScope();
        using var net = new ScalarModule();
        using var other = new SmallNet(new Generator(1));
        using var tracker = new PowerEmaTracker(net);
        FluentActions.Invoking(() => tracker.Update(other, 4, 4)).Should().Throw<ArgumentException>().WithMessage("*expected 'w'*");
        FluentActions.Invoking(() => tracker.CopyTo(other)).Should().Throw<ArgumentException>();
    }
}
