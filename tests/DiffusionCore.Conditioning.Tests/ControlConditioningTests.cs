using DiffusionCore.Control;
using DiffusionCore.Guidance;
using DiffusionCore.Torch;

namespace DiffusionCore.Guidance.Tests;

public sealed class ControlConditioningTests : IDisposable
{
    private readonly TensorScope _scope = new();

    public void Dispose() => _scope.Dispose();

    /// <summary>D(x; σ, c) = x + σ·label + 10·Σ controls, per sample: every branch of the guidance is distinguishable.</summary>
    private sealed class AffineDenoiser : IDenoiser
    {
        public int Calls { get; private set; }

        public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning)
        {
            Calls++;
            using var scope = new TensorScope();
            Tensor label = conditioning.Get(ConditioningKeys.ClassLabels).To(DType.Float64);
            Tensor controls = conditioning.Get(ConditioningKeys.ControlMetadata).Sum([1L]);
            Tensor shift = sigma.Mul(label).Add(controls.Mul(10)).Unsqueeze(1);
            return x.Add(shift).MoveToOuterScope();
        }
    }

    [Theory]
    [InlineData(0.05, 1.0)]
    [InlineData(0.1, 1.0)]
    [InlineData(10, 0.0)]
    [InlineData(20, 0.0)]
    [InlineData(1, 0.7071067811865476)]          // u = 1/2: cos(π/4)
    [InlineData(0.3162277660168379, 0.9238795325112867)] // u = 1/4: cos(π/8)
    public void Cosine_gate_has_the_documented_values(double sigma, double expected)
    {
        var gate = new CosineControlGate(0.1, 10);
        gate.Evaluate(sigma).Should().BeApproximately(expected, 1e-12);
        gate.Evaluate(Tensor.FromArray(new[] { sigma })).ToArray<double>()[0].Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Cosine_gate_rises_toward_low_noise()
    {
        var gate = new CosineControlGate();
        double[] g = gate.Evaluate(Tensor.FromArray(new[] { 0.01, 0.2, 0.5, 1.0, 2.0, 5.0, 50.0 })).ToArray<double>();
        g.Should().BeInDescendingOrder();
        g[0].Should().Be(1);
        g[^1].Should().Be(0);
    }

    [Fact]
    public void Constant_gates_are_constant_and_bad_gates_are_refused()
    {
        ConstantControlGate.Summed.Evaluate(Tensor.FromArray(new[] { 0.01, 80.0 })).ToArray<double>().Should().Equal(1, 1);
        ConstantControlGate.Off.Evaluate(Tensor.FromArray(new[] { 0.01, 80.0 })).ToArray<double>().Should().Equal(0, 0);
        FluentActions.Invoking(() => new ConstantControlGate(1.5)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[0, 1]*");
        FluentActions.Invoking(() => new CosineControlGate(5, 1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*σ_lo < σ_hi*");
    }

    [Fact]
    public void Control_dropout_drops_whole_rows_at_the_requested_rate_and_is_reproducible()
    {
        const int n = 20_000;
        Tensor controls = Tensor.Ones([n, 4]);
        using var g1 = new Generator(7);
        using var g2 = new Generator(7);
        Tensor a = ControlDropout.Apply(controls, 0.25, g1);
        Tensor b = ControlDropout.Apply(controls, 0.25, g2);
        a.ToArray<float>().Should().Equal(b.ToArray<float>());
        double[] rowSums = a.Sum([1L]).To(DType.Float64).ToArray<double>();
        rowSums.Should().OnlyContain(s => s == 0 || s == 4, "a row is dropped whole or kept whole");
        (rowSums.Count(s => s == 0) / (double)n).Should().BeApproximately(0.25, 0.01);
    }

    [Fact]
    public void Control_dropout_leaves_labels_alone_and_checks_its_input()
    {
        using var g = new Generator(1);
        Conditioning c = Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 3, 4 })).With(ConditioningKeys.ControlMetadata, Tensor.Ones([2, 3]));
        Conditioning dropped = ControlDropout.Apply(c, 1, g);
        dropped.ClassLabels!.ToArray<long>().Should().Equal(3, 4);
        dropped.ControlMetadata!.Sum().ToDouble().Should().Be(0);
        FluentActions.Invoking(() => ControlDropout.Apply(Tensor.Ones([2]), 0.1, g)).Should().Throw<ArgumentException>().WithMessage("*[B, M]*");
        FluentActions.Invoking(() => ControlDropout.Apply(Tensor.Ones([2, 3]), 1.5, g)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 3)]
    public void Control_guidance_equals_the_hand_computed_combination(bool batched, int calls)
    {
        double[] xs = [0.5, -1.0, 2.0, 0.25];
        double[] sigmas = [0.5, 2.0];
        double[] labels = [3, 5];
        double[][] controls = [[0.1, 0.2], [-0.3, 0.4]];
        Tensor x = Tensor.FromArray(xs, 2, 2);
        Conditioning c = Conditioning.FromClassLabels(Tensor.FromArray(labels))
            .With(ConditioningKeys.ControlMetadata, Tensor.FromArray(controls.SelectMany(r => r).ToArray(), 2, 2));
        var denoiser = new AffineDenoiser();
        const double ws = 2.5, wm = 1.75;
        var guided = new ControlGuidance(denoiser, ws, wm, Unconditional.ZeroClassLabels(), new ControlGuidanceOptions { BatchBranches = batched });
        double[] d = guided.Denoise(x, Tensor.FromArray(sigmas), c).ToArray<double>();
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                double xv = xs[(2 * i) + j];
                double full = xv + (sigmas[i] * labels[i]) + (10 * controls[i].Sum());
                double semantic = xv + (sigmas[i] * labels[i]);
                double uncond = xv;
                d[(2 * i) + j].Should().BeApproximately(uncond + (ws * (semantic - uncond)) + (wm * (full - semantic)), 1e-12);
            }
        }

        denoiser.Calls.Should().Be(calls);
    }

    [Fact]
    public void Control_guidance_reduces_to_the_conditional_denoiser_and_respects_the_interval()
    {
        Tensor x = Tensor.FromArray(new[] { 1.0, 2.0 }, 2, 1);
        Conditioning c = Conditioning.FromClassLabels(Tensor.FromArray(new[] { 1.0, 2.0 }))
            .With(ConditioningKeys.ControlMetadata, Tensor.FromArray(new[] { 0.5, 0.5 }, 2, 1));
        Tensor sigma = Tensor.FromArray(new[] { 0.5, 5.0 });
        var plain = new AffineDenoiser();
        double[] conditional = plain.Denoise(x, sigma, c).ToArray<double>();
        new ControlGuidance(new AffineDenoiser(), 1, 1, Unconditional.ZeroClassLabels()).Denoise(x, sigma, c).ToArray<double>().Should().Equal(conditional);

        var inside = new ControlGuidance(new AffineDenoiser(), 3, 0, Unconditional.ZeroClassLabels(), new ControlGuidanceOptions { Interval = new GuidanceInterval(0, 1) });
        double[] d = inside.Denoise(x, sigma, c).ToArray<double>();
        d[0].Should().BeApproximately(1 + (3 * 0.5 * 1), 1e-12, "σ = 0.5 is guided: semantic scale 3, controls off");
        d[1].Should().Be(conditional[1], "σ = 5 is outside the interval: the fully conditioned branch");
    }

    [Fact]
    public void Control_guidance_rejects_a_non_finite_scale()
    {
        FluentActions.Invoking(() => new ControlGuidance(new AffineDenoiser(), double.NaN, 1, Unconditional.ZeroClassLabels()))
            .Should().Throw<ArgumentOutOfRangeException>();
    }
}
