using DiffusionCore.Analytic;
using DiffusionCore.Denoisers;
using DiffusionCore.NoiseLevels;
using DiffusionCore.Torch;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Tests.Support;

namespace DiffusionCore.Training.Tests.Losses;

public class FlowMatchingAndMinSnrLossTests
{
    // Two samples of 1×2×2: y, n and σ fixed (σ = 0.7 → t ≈ 0.41; σ = 3.5 → t ≈ 0.78).
    private static readonly float[] Y = [0.5f, -0.25f, 1f, 0f, -1f, 0.75f, 0.1f, -0.3f];
    private static readonly float[] N = [1.2f, -0.4f, 0.3f, 2f, -0.8f, 0.05f, -1.5f, 0.6f];
    private static readonly float[] Sigma = [0.7f, 3.5f];

    private static NoiseDraw FixedDraw() => new(Tensor.FromArray(Sigma), Tensor.FromArray(N, 2, 1, 2, 2));

    private static Tensor Images() => Tensor.FromArray(Y, 2, 1, 2, 2);

    private static bool Close(double x, double y) => Math.Abs(x - y) <= 1e-5 * Math.Max(1, Math.Abs(y));

    /// <summary>F(x_t; c) = a·x_t + b·c: a velocity network simple enough to evaluate by hand.</summary>
    private sealed class AffineNetwork(double a, double b) : IDiffusionNetwork
    {
        public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning) =>
            (input * a) + (PerSample.Broadcastable(noiseLabels, input.Dim) * b);
    }

    /// <summary>The mixture's closed-form velocity plus a constant δ.</summary>
    private sealed class OffsetVelocity(GaussianMixture mixture, double delta) : IDiffusionNetwork
    {
        private readonly VelocityOracleNetwork _oracle = new(mixture);

        public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning) => _oracle.Forward(input, noiseLabels, conditioning) + delta;
    }

    /// <summary>The σ-form denoising loss with λ(σ) = ((1 + σ)/σ)², for comparison.</summary>
    private sealed class FlowWeightedDenoisingLoss(IDenoiser denoiser, INoiseLevelDistribution levels) : DenoisingLoss(denoiser, levels)
    {
        public override Tensor Weight(Tensor sigma) => ((sigma.To(DType.Float32) + 1) / sigma.To(DType.Float32)).Square();
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1000.0)]
    public void Flow_matching_loss_is_the_squared_velocity_error_on_the_linear_path(double timeScale)
    {
        using var scope = new TensorScope();
        const double a = 0.8, b = 0.3 / 1000;
        float[] mask = [1, 1, 0, 1, 0, 1, 1, 0];
        var loss = new FlowMatchingLoss(new AffineNetwork(a, b), preconditioning: new FlowMatchingPreconditioning(timeScale));
        double[] got = loss.Compute(Images(), FixedDraw(), Conditioning.None).To(DType.Float64).ToArray<double>();
        double[] masked = loss.Compute(Images(), FixedDraw(), Conditioning.None, Tensor.FromArray(mask, 2, 1, 2, 2)).To(DType.Float64).ToArray<double>();
        for (int s = 0; s < 2; s++)
        {
            double t = Sigma[s] / (1.0 + Sigma[s]);
            double sum = 0, maskedSum = 0;
            for (int i = 0; i < 4; i++)
            {
                int k = (s * 4) + i;
                double xt = ((1 - t) * Y[k]) + (t * N[k]);
                double err = (a * xt) + (b * timeScale * t) - (N[k] - Y[k]);
                sum += err * err;
                maskedSum += mask[k] * err * err;
            }

            Close(got[s], sum).Should().BeTrue($"sample {s}: {got[s]} vs {sum}");
            Close(masked[s], maskedSum).Should().BeTrue();
        }
    }

    [Fact]
    public void Flow_matching_loss_is_the_denoising_loss_weighted_by_one_over_t_squared_in_sigma_form()
    {
        using var scope = new TensorScope();
        var network = new AffineNetwork(0.6, 0.2);
        using var g = new Generator(5);
        Tensor images = Tensor.Randn([16, 1, 3, 3], g);
        var flow = new FlowMatchingLoss(network);
        using var step = new TrainingStep(5, 0, [0]);
        NoiseDraw draw = flow.Draw(images.Shape, step);
        double[] direct = flow.Compute(images, draw, Conditioning.None).To(DType.Float64).ToArray<double>();
        double[] viaDenoiser = new FlowWeightedDenoisingLoss(PreconditionedDenoiser.FlowMatching(network), flow.Times)
            .Compute(images, draw, Conditioning.None).To(DType.Float64).ToArray<double>();
        direct.Should().Equal(viaDenoiser, (p, q) => Math.Abs(p - q) <= 2e-4 * Math.Max(1, Math.Abs(q)));
    }

    [Fact]
    public void The_ideal_velocity_minimises_the_flow_matching_loss()
    {
        // E[(v* + δ − u)²] − E[(v* − u)²] = δ² per element because E[u | x_t] = v*: the oracle, the path and the
        // target ε − y agree (a wrong sign or time convention would leave a term linear in δ).
        const int n = 100_000;
        const double delta = 0.1;
        using var scope = new TensorScope();
        using var mixture = GaussianMixture.Isotropic([0.6, 0.4], [[-1.0, 0.5], [1.0, -0.5]], [0.3, 0.5]);
        using var g = new Generator(8);
        Tensor y = mixture.Sample(n, g, DType.Float32).Samples;
        var ideal = new FlowMatchingLoss(new VelocityOracleNetwork(mixture), new ModeNoiseLevels(0));
        using var step = new TrainingStep(8, 0, [0]);
        NoiseDraw draw = ideal.Draw(y.Shape, step);
        Tensor excess = new FlowMatchingLoss(new OffsetVelocity(mixture, delta), ideal.Times).Compute(y, draw, Conditioning.None).To(DType.Float64)
            - ideal.Compute(y, draw, Conditioning.None).To(DType.Float64);
        double mean = excess.Mean().ToDouble();
        double standardError = excess.Std().ToDouble() / Math.Sqrt(n);
        mean.Should().BeApproximately(2 * delta * delta, 4 * standardError, "two elements per sample, δ² each");
        standardError.Should().BeLessThan(0.1 * delta * delta, "the test can tell δ² from 0");
    }

    [Fact]
    public void Flow_matching_draws_times_from_the_logit_normal_by_default_and_checks_the_output_shape()
    {
        using var scope = new TensorScope();
        var loss = new FlowMatchingLoss(new AffineNetwork(1, 0));
        loss.Times.Should().BeOfType<LogitNormalNoiseLevels>();
        var wrong = new FlowMatchingLoss(new FixedOutputNetwork(Tensor.Zeros([2, 2, 2, 2])));
        FluentActions.Invoking(() => wrong.Compute(Images(), FixedDraw(), Conditioning.None))
            .Should().Throw<InvalidOperationException>().WithMessage("*[2, 2, 2, 2]*[2, 1, 2, 2]*velocity network*");
    }

    [Fact]
    public void Min_snr_weights_each_target_so_that_all_equal_min_snr_gamma_times_the_denoiser_error()
    {
        // Hang et al. 2023: ε-loss × min(SNR, γ)/SNR = x₀-loss × min(SNR, γ) = v-loss × min(SNR, γ)/(SNR + 1).
        using var scope = new TensorScope();
        double[] sigmas = [0.05, 0.3, 0.447, 1.0, 4.0];
        const double gamma = 5;
        double[] we = MinSnrWeighting.TargetWeight(Tensor.FromArray(sigmas), gamma, PredictionTarget.Epsilon).To(DType.Float64).ToArray<double>();
        double[] wx = MinSnrWeighting.TargetWeight(Tensor.FromArray(sigmas), gamma, PredictionTarget.Sample).To(DType.Float64).ToArray<double>();
        double[] wv = MinSnrWeighting.TargetWeight(Tensor.FromArray(sigmas), gamma, PredictionTarget.Velocity).To(DType.Float64).ToArray<double>();
        double[] wd = MinSnrWeighting.DenoiserWeight(Tensor.FromArray(sigmas), gamma).To(DType.Float64).ToArray<double>();
        const double y = 0.7, eps = -1.3, yHat = 0.55;
        for (int i = 0; i < sigmas.Length; i++)
        {
            double s = sigmas[i], snr = 1 / (s * s), clipped = Math.Min(snr, gamma);
            Close(we[i], clipped / snr).Should().BeTrue();
            Close(wx[i], clipped).Should().BeTrue();
            Close(wv[i], clipped / (snr + 1)).Should().BeTrue();
            wd[i].Should().Be(wx[i]);

            // One element: x = y + σε (σ form); the VP view has α = 1/√(1+σ²), σ_VP = σ·α.
            double x = y + (s * eps), alpha = 1 / Math.Sqrt(1 + (s * s)), sVp = s * alpha;
            double epsHat = (x - yHat) / s;
            double v = (alpha * eps) - (sVp * y), vHat = (alpha * epsHat) - (sVp * yHat);
            double denoiserLoss = clipped * (yHat - y) * (yHat - y);
            (we[i] * (epsHat - eps) * (epsHat - eps)).Should().BeApproximately(denoiserLoss, 1e-5 * Math.Max(1, denoiserLoss));
            (wv[i] * (vHat - v) * (vHat - v)).Should().BeApproximately(denoiserLoss, 1e-5 * Math.Max(1, denoiserLoss));
        }

        FluentActions.Invoking(() => MinSnrWeighting.TargetWeight(Tensor.FromArray(sigmas), 0, PredictionTarget.Epsilon))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*γ must be positive*");
        FluentActions.Invoking(() => MinSnrWeighting.TargetWeight(Tensor.FromArray(sigmas), 5, (PredictionTarget)9))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Epsilon, Sample or Velocity*");
    }

    [Fact]
    public void Min_snr_loss_clips_the_snr_weight_at_gamma()
    {
        using var scope = new TensorScope();
        var loss = new MinSnrLoss(new ScalingDenoiser(0.9), new LogNormalNoiseLevels(), gamma: 1);
        double[] got = loss.Compute(Images(), FixedDraw(), Conditioning.None).To(DType.Float64).ToArray<double>();
        for (int s = 0; s < 2; s++)
        {
            double sigma = Sigma[s], expected = 0;
            for (int i = 0; i < 4; i++)
            {
                int k = (s * 4) + i;
                double err = (0.9 * (Y[k] + (sigma * N[k]))) - Y[k];
                expected += Math.Min(1 / (sigma * sigma), 1) * err * err;
            }

            Close(got[s], expected).Should().BeTrue($"sample {s}");
        }

        FluentActions.Invoking(() => new MinSnrLoss(new ScalingDenoiser(1), new LogNormalNoiseLevels(), double.NaN))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*γ*");
    }
}
