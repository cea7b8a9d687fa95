using DiffusionCore.Torch;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Tests.Support;

namespace DiffusionCore.Training.Tests.Losses;

public class ContinuousLossTests
{
    // Two samples of 1×2×2: y, n and σ fixed.
    private static readonly float[] Y = [0.5f, -0.25f, 1f, 0f, -1f, 0.75f, 0.1f, -0.3f];
    private static readonly float[] N = [1.2f, -0.4f, 0.3f, 2f, -0.8f, 0.05f, -1.5f, 0.6f];
    private static readonly float[] Sigma = [0.7f, 3.5f];

    private static NoiseDraw FixedDraw() => new(Tensor.FromArray(Sigma), Tensor.FromArray(N, 2, 1, 2, 2));

    private static Tensor Images() => Tensor.FromArray(Y, 2, 1, 2, 2);

    /// <summary>Per-sample Σ w(σ)·(a·(y + σn) − y)², plus an optional per-element extra.</summary>
    private static double[] Expected(double a, Func<double, double> weight, float[]? mask = null, double[]? logVar = null)
    {
        var result = new double[2];
        for (int b = 0; b < 2; b++)
        {
            double s = Sigma[b];
            for (int i = 0; i < 4; i++)
            {
                int k = (b * 4) + i;
                double err = (a * (Y[k] + (s * N[k]))) - Y[k];
                double m = mask?[k] ?? 1;
                double u = logVar?[b] ?? 0;
                double element = logVar is null ? weight(s) * err * err : (weight(s) / Math.Exp(u) * err * err) + u;
                result[b] += m * element;
            }
        }

        return result;
    }

    private static double EdmWeight(double s) => ((s * s) + 0.25) / (s * s * 0.25);

    [Fact]
    public void Edm_loss_is_the_weighted_squared_error_summed_per_sample()
    {
        using var scope = new TensorScope();
        var loss = new EdmLoss(new ScalingDenoiser(0.5));
        double[] got = loss.Compute(Images(), FixedDraw(), Conditioning.None).To(DType.Float64).ToArray<double>();
        got.Should().Equal(Expected(0.5, EdmWeight), (x, y) => Math.Abs(x - y) <= 1e-5 * Math.Max(1, Math.Abs(y)));
    }

    [Fact]
    public void Vp_and_ve_losses_weight_by_inverse_sigma_squared()
    {
        using var scope = new TensorScope();
        double[] expected = Expected(0.9, s => 1 / (s * s));
        double[] vp = new VpLoss(new ScalingDenoiser(0.9)).Compute(Images(), FixedDraw(), Conditioning.None).To(DType.Float64).ToArray<double>();
        double[] ve = new VeLoss(new ScalingDenoiser(0.9)).Compute(Images(), FixedDraw(), Conditioning.None).To(DType.Float64).ToArray<double>();
        vp.Should().Equal(expected, (x, y) => Math.Abs(x - y) <= 1e-5 * Math.Max(1, Math.Abs(y)));
        ve.Should().Equal(expected, (x, y) => Math.Abs(x - y) <= 1e-5 * Math.Max(1, Math.Abs(y)));
    }

    [Fact]
    public void Element_mask_counts_only_the_masked_elements()
    {
        using var scope = new TensorScope();
        float[] mask = [1, 0, 1, 0, 0, 0, 1, 1];
        double[] got = new EdmLoss(new ScalingDenoiser(0.5))
            .Compute(Images(), FixedDraw(), Conditioning.None, Tensor.FromArray(mask, 2, 1, 2, 2)).To(DType.Float64).ToArray<double>();
        got.Should().Equal(Expected(0.5, EdmWeight, mask), (x, y) => Math.Abs(x - y) <= 1e-5 * Math.Max(1, Math.Abs(y)));
    }

    [Fact]
    public void Edm2_loss_divides_by_the_learned_variance_and_adds_the_log_variance_per_element()
    {
        using var scope = new TensorScope();
        double[] u = [0.3, -0.7];
        var loss = new Edm2Loss(new FixedUncertaintyDenoiser(0.5, [0.3f, -0.7f]));
        double[] got = loss.Compute(Images(), FixedDraw(), Conditioning.None).To(DType.Float64).ToArray<double>();
        got.Should().Equal(Expected(0.5, EdmWeight, logVar: u), (x, y) => Math.Abs(x - y) <= 1e-5 * Math.Max(1, Math.Abs(y)));
    }

    [Fact]
    public void Edm2_loss_gradient_reaches_the_uncertainty_head()
    {
        using var scope = new TensorScope();
        using var net = TinyNetworks.Edm2();
        using var g = new Generator(3);
        Tensor images = Tensor.Rand([4, 1, 8, 8], g) * 2 - 1;
        var loss = new Edm2Loss(net);
        using var step = new TrainingStep(seed: 3, imagesSeen: 0, batch: [0, 1, 2, 3]);
        loss.Compute(images, Conditioning.None, step).Mean().Backward();
        Tensor head = net.GetParameter("logvar_linear.weight")!;
        head.Grad.Should().NotBeNull();
        double gradNorm = head.Grad!.Abs().Sum().ToDouble();
        gradNorm.Should().BeGreaterThan(0);
        double.IsFinite(gradNorm).Should().BeTrue();
    }

    [Fact]
    public void Draws_come_from_the_noise_level_distribution_and_the_step_streams()
    {
        using var scope = new TensorScope();
        var ve = new VeLoss(new ScalingDenoiser(1));
        int[] batch = [.. Enumerable.Range(0, 64)];
        using var s1 = new TrainingStep(seed: 11, imagesSeen: 640, batch);
        using var s2 = new TrainingStep(seed: 11, imagesSeen: 640, batch);
        NoiseDraw a = ve.Draw([64, 1, 2, 2], s1);
        NoiseDraw b = ve.Draw([64, 1, 2, 2], s2);
        a.Sigma.Shape.Should().Equal(64);
        a.Noise.Shape.Should().Equal(64, 1, 2, 2);
        a.Sigma.Min().ToDouble().Should().BeGreaterThanOrEqualTo(0.02 * 0.999);
        a.Sigma.Max().ToDouble().Should().BeLessThanOrEqualTo(100 * 1.001);
        a.Sigma.ToArray<float>().Should().Equal(b.Sigma.ToArray<float>());
        a.Noise.ToArray<float>().Should().Equal(b.Noise.ToArray<float>());

        // σ and the noise are separate streams: a noise draw is the same whatever was drawn for σ.
        using var s3 = new TrainingStep(seed: 11, imagesSeen: 640, batch);
        Tensor.Randn([64, 1, 2, 2], s3.Noise).ToArray<float>().Should().Equal(a.Noise.ToArray<float>());
    }
}
