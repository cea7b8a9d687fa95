using DiffusionCore.Torch;
using DiffusionCore.Training.DeMe;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Tests.Support;

namespace DiffusionCore.Training.Tests.DeMe;

/// <summary>DeMe's consistency loss (docs/recipes.md §5).</summary>
public sealed class ConsistencyLossTests
{
    private static readonly float[] Y = [0.5f, -0.25f, 1f, 0f, -1f, 0.75f, 0.1f, -0.3f];
    private static readonly float[] N = [1.2f, -0.4f, 0.3f, 2f, -0.8f, 0.05f, -1.5f, 0.6f];
    private static readonly float[] Sigma = [0.7f, 3.5f];

    private static NoiseDraw FixedDraw() => new(Tensor.FromArray(Sigma), Tensor.FromArray(N, 2, 1, 2, 2));

    private static Tensor Images() => Tensor.FromArray(Y, 2, 1, 2, 2);

    private static double EdmWeight(double s) => ((s * s) + 0.25) / (s * s * 0.25);

    [Fact]
    public void It_adds_w_lambda_times_the_squared_difference_to_the_frozen_model()
    {
        using var scope = new TensorScope();
        using var tap = new DenoiserTap(new ScalingDenoiser(0.5));
        var inner = new EdmLoss(tap);
        var loss = new ConsistencyLoss(inner, tap, new ScalingDenoiser(0.25), weight: 2);

        double[] got = loss.Compute(Images(), FixedDraw(), Conditioning.None).To(DType.Float64).ToArray<double>();
        double[] plain = inner.Compute(Images(), FixedDraw(), Conditioning.None).To(DType.Float64).ToArray<double>();
        for (int b = 0; b < 2; b++)
        {
            double s = Sigma[b], term = 0;
            for (int i = 0; i < 4; i++)
            {
                double x = Y[(b * 4) + i] + (s * N[(b * 4) + i]);
                term += Math.Pow((0.5 - 0.25) * x, 2);
            }

            got[b].Should().BeApproximately(plain[b] + (2 * EdmWeight(s) * term), 1e-4 * Math.Max(1, got[b]));
        }
    }

    [Fact]
    public void At_initialisation_the_consistency_term_is_exactly_zero_and_it_grows_once_the_model_moves()
    {
        using var scope = new TensorScope();
        using var trained = TinyNetworks.Edm2(seed: 3);
        using var frozen = TinyNetworks.Edm2(seed: 3);
        frozen.Eval();
        using (new NoGradScope())
        {
            trained.UNet.OutGain.FillInPlace(0.5);   // a non-zero output gain, so D depends on the weights
            frozen.UNet.OutGain.FillInPlace(0.5);
        }

        using var tap = new DenoiserTap(trained);
        var inner = new Edm2Loss(tap, pMean: -1.2, pStd: 1.2);
        var loss = new ConsistencyLoss(inner, tap, frozen);
        using var g = new Generator(9);
        Tensor y = Tensor.Randn([2, 1, 8, 8], g);
        var draw = new NoiseDraw(Tensor.FromArray(new[] { 0.3f, 4f }), Tensor.Randn([2, 1, 8, 8], g));

        // In training mode EDM2 renormalises its stored weights in place (forced weight normalisation, Karras et al.
        // 2024, §2.3), which moves D_θ by rounding only; in evaluation mode both models compute the same thing bit for bit.
        double[] training = (loss.Compute(y, draw, Conditioning.None) - inner.Compute(y, draw, Conditioning.None)).To(DType.Float64).ToArray<double>();
        training.Should().OnlyContain(v => Math.Abs(v) < 1e-3);
        trained.Eval();
        Tensor withTerm = loss.Compute(y, draw, Conditioning.None);
        Tensor without = inner.Compute(y, draw, Conditioning.None);
        withTerm.Eq(without).All().ToDouble().Should().Be(1, "θ = θ₀ gives D_θ = D_θ₀ bit for bit");

        using (new NoGradScope())
        {
            trained.Parameters().First(p => p.Dim == 4).AddInPlace(Tensor.Randn(trained.Parameters().First(p => p.Dim == 4).Shape, g), 0.5);
        }

        double[] moved = (loss.Compute(y, draw, Conditioning.None) - inner.Compute(y, draw, Conditioning.None)).To(DType.Float64).ToArray<double>();
        moved.Should().OnlyContain(v => v > 0);
    }

    [Fact]
    public void The_consistency_term_sends_gradients_to_the_trained_model_and_none_to_the_frozen_one()
    {
        using var scope = new TensorScope();
        using var trained = TinyNetworks.Edm2(seed: 4);
        using var frozen = TinyNetworks.Edm2(seed: 5);
        using (new NoGradScope())
        {
            trained.UNet.OutGain.FillInPlace(0.5);
            frozen.UNet.OutGain.FillInPlace(0.5);
        }

        using var tap = new DenoiserTap(trained);
        var inner = new EdmLoss(tap);
        using var g = new Generator(2);
        Tensor y = Tensor.Randn([2, 1, 8, 8], g);
        var draw = new NoiseDraw(Tensor.FromArray(new[] { 0.5f, 2f }), Tensor.Randn([2, 1, 8, 8], g));
        Tensor probe = trained.UNet.OutGain;

        inner.Compute(y, draw, Conditioning.None).Sum().Backward();
        double denoisingOnly = probe.Grad!.ToDouble();
        trained.ZeroGrad();
        new ConsistencyLoss(inner, tap, frozen, weight: 3).Compute(y, draw, Conditioning.None).Sum().Backward();
        double withConsistency = probe.Grad!.ToDouble();

        withConsistency.Should().NotBe(denoisingOnly, "the consistency term's gradient flows through the tapped output");
        frozen.Parameters().Count(p => p.Grad != null).Should().Be(0, "the frozen model runs without gradients");
    }

    [Fact]
    public void A_loss_not_built_on_the_tap_is_a_clear_error()
    {
        using var tap = new DenoiserTap(new ScalingDenoiser(1));
        FluentActions.Invoking(() => new ConsistencyLoss(new EdmLoss(new ScalingDenoiser(1)), tap, new ScalingDenoiser(1)))
            .Should().Throw<ArgumentException>().WithMessage("*Build the inner loss on the DenoiserTap*");
        FluentActions.Invoking(() => new ConsistencyLoss(new EdmLoss(tap), tap, new ScalingDenoiser(1), weight: -1))
            .Should().Throw<ArgumentOutOfRangeException>();
    }
}
