using DiffusionCore.Denoisers;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;
using Xunit.Abstractions;

namespace DiffusionCore.Networks.Tests.Edm2;

/// <summary>Initialisation, training-mode weight projection, mixed precision and dropout of the EDM2 denoiser.</summary>
public class Edm2BehaviourTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void At_initialisation_the_output_is_exactly_c_skip_times_x(bool training)
    {
        using ReferenceCase c = ReferenceCase.Load(Edm2Fixture.Name);
        using var g = new Generator(123);
        using var d = new Edm2Denoiser(Edm2Fixture.Options(c), g);
        d.Train(training);
        using var scope = new TensorScope();
        Tensor x = c["in.x"], sigma = c["in.sigma"];

        Tensor dOut = d.Denoise(x, sigma, Conditioning.FromClassLabels(c["in.labels"]));

        Tensor cSkip = new EdmPreconditioning(0.5).Coefficients(sigma).CSkip;
        Tensor expected = x * PerSample.Broadcastable(cSkip, 4);
        dOut.Eq(expected).All().ToBoolean().Should().BeTrue("out_gain = 0 makes F exactly 0, so D = c_skip·x bit for bit");
    }

    [Fact]
    public void Forced_weight_normalisation_happens_in_training_mode_and_not_in_eval_mode()
    {
        using ReferenceCase c = ReferenceCase.Load(Edm2Fixture.Name);
        using Edm2Denoiser d = Edm2Fixture.LoadDenoiser(c);
        using var scope = new TensorScope();
        var conditioning = Conditioning.FromClassLabels(c["in.labels"]);
        Dictionary<string, Tensor> before = Weights(d).ToDictionary(kv => kv.Key, kv => kv.Value.Clone());

        d.Eval();
        Tensor evalOut;
        using (new NoGradScope())
        {
            evalOut = d.Denoise(c["in.x"], c["in.sigma"], conditioning);
        }

        foreach ((string key, Tensor w) in Weights(d))
        {
            w.Eq(before[key]).All().ToBoolean().Should().BeTrue($"{key} must not change in eval mode");
        }

        d.Train();
        Tensor trainOut = d.Denoise(c["in.x"], c["in.sigma"], conditioning);
        d.LogVariance(c["in.sigma"]);

        foreach ((string key, Tensor w) in Weights(d))
        {
            w.Eq(before[key]).All().ToBoolean().Should().BeFalse($"{key} is re-projected in training mode");
            long fanIn = w.Shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            long[] dims = Enumerable.Range(1, w.Dim - 1).Select(i => (long)i).ToArray();
            Tensor rms = w.Norm(2, dims).Div(Math.Sqrt(fanIn));
            (rms - 1).Abs().Max().ToDouble().Should().BeLessThan(1e-3, $"{key} has unit RMS per output channel after projection");
        }

        ReferenceCase.RelativeError(trainOut, evalOut).Should().BeLessThan(1e-4, "the projection does not change the function the layer computes");
    }

    [Fact]
    public void Bfloat16_autocast_forward_and_backward_are_finite_with_a_float32_denoiser_output()
    {
        using ReferenceCase c = ReferenceCase.Load(Edm2Fixture.Name);
        using Edm2Denoiser d = Edm2Fixture.LoadDenoiser(c);
        d.Train();
        using var scope = new TensorScope();
        Tensor dOut, logvar;
        using (new AutocastScope(DeviceType.Cpu, DType.BFloat16))
        {
            dOut = d.Denoise(c["in.x"], c["in.sigma"], Conditioning.FromClassLabels(c["in.labels"]));
            logvar = d.LogVariance(c["in.sigma"]);
            Tensor loss = dOut.Sub(c["in.target"]).Square().Div(logvar.Exp()).Add(logvar).Sum();
            loss.Backward();
        }

        dOut.DType.Should().Be(DType.Float32);
        dOut.IsFinite().All().ToBoolean().Should().BeTrue();
        double error = ReferenceCase.RelativeError(dOut, c["out.D"]);
        output.WriteLine(FormattableString.Invariant($"bfloat16 autocast (training mode) vs float32 reference: rel err D {error:E2}"));
        error.Should().BeLessThan(0.05, "bfloat16 keeps about 3 significant digits");
        foreach ((string key, Tensor p) in d.NamedParameters())
        {
            Tensor? grad = p.Grad;
            grad.Should().NotBeNull($"{key} receives a gradient");
            grad!.IsFinite().All().ToBoolean().Should().BeTrue($"{key} has a finite gradient");
        }
    }

    [Fact]
    public void Dropout_in_training_is_deterministic_for_a_seeded_generator()
    {
        using ReferenceCase c = ReferenceCase.Load(Edm2Fixture.Name);
        using var scope = new TensorScope();
        Tensor a = TrainingOutput(c, seed: 7);
        Tensor b = TrainingOutput(c, seed: 7);
        Tensor other = TrainingOutput(c, seed: 8);

        a.Eq(b).All().ToBoolean().Should().BeTrue("the same dropout seed gives the same masks");
        a.Eq(other).All().ToBoolean().Should().BeFalse("another seed gives other masks");
    }

    [Fact]
    public void Dropout_in_training_without_a_generator_fails_with_a_clear_message_and_eval_ignores_it()
    {
        using ReferenceCase c = ReferenceCase.Load(Edm2Fixture.Name);
        using Edm2Denoiser d = Edm2Fixture.LoadDenoiser(c, o => o with { Dropout = 0.1 });
        using var scope = new TensorScope();
        var conditioning = Conditioning.FromClassLabels(c["in.labels"]);

        d.Train();
        Action run = () => d.Denoise(c["in.x"], c["in.sigma"], conditioning);
        run.Should().Throw<InvalidOperationException>().WithMessage("*DropoutGenerator*");

        d.Eval();
        Tensor evalOut = d.Denoise(c["in.x"], c["in.sigma"], conditioning);
        ReferenceCase.AssertClose(evalOut, c["out.D"], "eval output with dropout configured");
    }

    private static Tensor TrainingOutput(ReferenceCase c, ulong seed)
    {
        using Edm2Denoiser d = Edm2Fixture.LoadDenoiser(c, o => o with { Dropout = 0.1 });
        using var dropout = new Generator(seed);
        d.Train();
        using var noGrad = new NoGradScope();
        return d.Denoise(c["in.x"], c["in.sigma"], Conditioning.FromClassLabels(c["in.labels"]).WithDropoutGenerator(dropout));
    }

    private static IEnumerable<KeyValuePair<string, Tensor>> Weights(Edm2Denoiser d) =>
        d.NamedParameters().Where(kv => kv.Key.EndsWith(".weight", StringComparison.Ordinal));
}
