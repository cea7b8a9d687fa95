using DiffusionCore.Denoisers;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.DiT;

/// <summary>DiT as an <see cref="IDenoiser"/>: ε-prediction preconditioning over the linear β schedule (Peebles &amp; Xie 2023, §4).</summary>
public class DiTDenoiserTests
{
    [Fact]
    public void Epsilon_preconditioning_with_the_linear_schedule_wraps_dit_as_a_denoiser()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using DiffusionTransformer model = DiTTestModels.LoadedTiny(reference);
        using var scope = new TensorScope();

        // The explicit composition shown in docs/networks/dit.md.
        DiscreteSchedule schedule = DiscreteSchedule.Linear(1000, 1e-4, 0.02);
        PreconditionedDenoiser denoiser = PreconditionedDenoiser.EpsilonPrediction(
            model, schedule, options: new PreconditionedDenoiserOptions { DiscardLearnedVariance = true });

        Tensor x = reference["in.x"].Mul(3.0);
        Tensor sigma = Tensor.FromArray(new double[] { 0.05, 1.0, 20.0 }).To(DType.Float32);
        Conditioning labels = Conditioning.FromClassLabels(reference["in.labels"]);
        Tensor d = denoiser.Denoise(x, sigma, labels);

        // D(x; σ) = x − σ·ε̂(x/√(σ²+1); t(σ)), ε̂ the first C output channels.
        Tensor t = schedule.SigmaToTimestep(sigma).To(DType.Float32);
        Tensor scaled = x.Mul(sigma.Square().Add(1.0).Rsqrt().Reshape(3, 1, 1, 1));
        Tensor epsilon = model.Forward(scaled, t, reference["in.labels"]).Narrow(1, 0, 4);
        Tensor expected = x.Sub(epsilon.Mul(sigma.Reshape(3, 1, 1, 1)));
        d.Shape.Should().Equal(3, 4, 8, 8);
        d.Sub(expected).Abs().Max().ToDouble().Should().BeLessThan(1e-4);

        // The convenience factory builds the same denoiser.
        Tensor viaFactory = DiTDenoisers.EpsilonPrediction(model).Denoise(x, sigma, labels);
        viaFactory.Sub(d).Abs().Max().ToDouble().Should().Be(0);
    }

    [Fact]
    public void A_freshly_initialised_dit_denoiser_returns_its_input()
    {
        using var gen = new Generator(9);
        using var model = new DiffusionTransformer(DiTTestModels.Tiny, gen);
        model.Eval();
        using var scope = new TensorScope();
        Tensor x = Tensor.Randn([2, 4, 8, 8], gen);
        Tensor sigma = Tensor.FromArray(new float[] { 0.5f, 5f });
        Tensor d = DiTDenoisers.EpsilonPrediction(model).Denoise(x, sigma, Conditioning.FromClassLabels(model.NullLabels(2)));
        d.Sub(x).Abs().Max().ToDouble().Should().Be(0, "ε̂ is exactly 0 at initialisation (adaLN-Zero)");
    }
}
