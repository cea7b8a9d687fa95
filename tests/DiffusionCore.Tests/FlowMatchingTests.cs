using DiffusionCore.Analytic;
using DiffusionCore.Denoisers;
using DiffusionCore.NoiseLevels;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Tests;

/// <summary>
/// The rectified-flow parameterisation against exact oracles: the mixture's closed-form velocity, its own denoiser in
/// σ form, and the SD3 time distributions' densities.
/// </summary>
public sealed class FlowMatchingTests : IDisposable
{
    private readonly GaussianMixture _mixture = new(
        [0.5, 0.3, 0.2],
        [[-1.0, -0.5], [1.0, 0.5], [0.0, 1.5]],
        [[0.4, 0.3], [0.35, 0.45], [0.3, 0.3]]);

    private readonly TensorScope _scope = new();

    public void Dispose()
    {
        _scope.Dispose();
        _mixture.Dispose();
    }

    private static readonly double[] Xs = [0.3, -1.2, 2.0, 0.7, -0.4, 0.1, 1.5, -2.5];

    [Fact]
    public void Flow_coefficients_are_the_linear_path_in_sigma_form()
    {
        double[] sigmas = [0, 0.002, 0.5, 1, 3.7, 999];
        using var scope = new TensorScope();
        PreconditioningCoefficients c = new FlowMatchingPreconditioning(timeScale: 1000).Coefficients(Tensor.FromArray(sigmas));
        double[] skip = c.CSkip.ToArray<double>(), cOut = c.COut.ToArray<double>(), cIn = c.CIn.ToArray<double>(), noise = c.CNoise.ToArray<double>();
        for (int i = 0; i < sigmas.Length; i++)
        {
            double s = sigmas[i], t = s / (1 + s);
            skip[i].Should().BeApproximately(1 - t, 1e-15);
            cIn[i].Should().BeApproximately(1 - t, 1e-15);
            cOut[i].Should().BeApproximately(-t, 1e-15);
            noise[i].Should().BeApproximately(1000 * t, 1e-12);
        }

        FluentActions.Invoking(() => new FlowMatchingPreconditioning(0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*time scale*");
    }

    [Fact]
    public void Closed_form_velocity_is_the_mixture_denoiser_seen_through_the_linear_path()
    {
        // v(x_t; t) = (x_t − E[y | x_t])/t with E[y | x_t] = D(x_t/(1 − t); t/(1 − t)) (an independent formula for 0 < t < 1).
        foreach (double t in new[] { 0.001, 0.2, 0.5, 0.9, 0.999 })
        {
            Tensor xt = Tensor.FromArray(Xs, 4, 2);
            double[] v = _mixture.Velocity(xt, Tensor.Full([4], t, DType.Float64)).ToArray<double>();
            double sigma = t / (1 - t);
            double[] d = _mixture.Denoise(xt / (1 - t), sigma).ToArray<double>();
            for (int i = 0; i < Xs.Length; i++) v[i].Should().BeApproximately((Xs[i] - d[i]) / t, 1e-9 * Math.Max(1, Math.Abs(v[i])), $"t = {t}");
        }
    }

    [Fact]
    public void Closed_form_velocity_is_exact_at_both_ends_of_the_path()
    {
        Tensor xt = Tensor.FromArray(Xs, 4, 2);
        double[] mean = _mixture.Mean();
        double[] atOne = _mixture.Velocity(xt, Tensor.Ones([4], DType.Float64)).ToArray<double>();
        double[] atZero = _mixture.Velocity(xt, Tensor.Zeros([4], DType.Float64)).ToArray<double>();
        for (int i = 0; i < Xs.Length; i++)
        {
            atOne[i].Should().BeApproximately(Xs[i] - mean[i % 2], 1e-12, "at t = 1, x_1 = ε is independent of y: v = x_1 − E[y]");
            atZero[i].Should().BeApproximately(-Xs[i], 1e-12, "at t = 0, x_0 = y and E[ε] = 0: v = −y");
        }

        FluentActions.Invoking(() => _mixture.Velocity(xt, Tensor.Full([4], 1.5, DType.Float64))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[0, 1]*");
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1000.0)]
    public void A_velocity_network_in_the_flow_parameterisation_is_the_ideal_denoiser(double timeScale)
    {
        var flow = PreconditionedDenoiser.FlowMatching(new VelocityOracleNetwork(_mixture, timeScale), timeScale, new PreconditionedDenoiserOptions { ComputeDType = DType.Float64 });
        Tensor x = Tensor.FromArray(Xs, 4, 2);
        Tensor sigma = Tensor.FromArray(new[] { 0.01, 0.5, 3.0, 300.0 });
        double[] got = flow.Denoise(x, sigma, Conditioning.None).ToArray<double>();
        double[] expected = _mixture.Denoise(x, sigma, Conditioning.None).ToArray<double>();
        got.Should().Equal(expected, (a, b) => Math.Abs(a - b) <= 1e-10 * Math.Max(1, Math.Abs(b)));
    }

    [Fact]
    public void Rectified_flow_time_and_sigma_convert_both_ways()
    {
        RectifiedFlowTime.ToSigma(0.5).Should().Be(1);
        RectifiedFlowTime.ToSigma(0).Should().Be(0);
        RectifiedFlowTime.FromSigma(3).Should().Be(0.75);
        RectifiedFlowTime.FromSigma(double.PositiveInfinity).Should().Be(1);
        RectifiedFlowTime.FromSigma(RectifiedFlowTime.ToSigma(0.37)).Should().BeApproximately(0.37, 1e-15);
        FluentActions.Invoking(() => RectifiedFlowTime.ToSigma(1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[0, 1)*");
        FluentActions.Invoking(() => RectifiedFlowTime.FromSigma(double.NaN)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Flow_shift_grid_is_uniform_in_t_then_shifted_by_sd3_equation_23()
    {
        const int n = 8;
        double[] plain = SigmaSchedules.FlowShift(n, tMin: 0.01, tMax: 0.95);
        double[] shifted = SigmaSchedules.FlowShift(n, shift: 3, tMin: 0.01, tMax: 0.95);
        plain.Should().HaveCount(n + 1);
        plain[^1].Should().Be(0);
        shifted[^1].Should().Be(0);
        for (int i = 0; i < n; i++)
        {
            double t = 0.95 + (i / (n - 1.0) * (0.01 - 0.95));
            plain[i].Should().BeApproximately(t / (1 - t), 1e-12 * plain[i]);
            double ts = 3 * t / (1 + (2 * t));
            shifted[i].Should().BeApproximately(ts / (1 - ts), 1e-12 * shifted[i]);
            shifted[i].Should().BeApproximately(3 * plain[i], 1e-9 * shifted[i], "in σ form the shift multiplies σ by s");
        }

        SigmaSchedules.Validate(shifted);
        SigmaSchedules.FlowShift(1).Should().HaveCount(2).And.Subject.Last().Should().Be(0);
        SigmaSchedules.FlowShift(20)[0].Should().BeApproximately(999, 1e-9);
        FluentActions.Invoking(() => SigmaSchedules.FlowShift(8, tMax: 1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*tMax < 1*σ = ∞*");
        FluentActions.Invoking(() => SigmaSchedules.FlowShift(8, tMin: 0.5, tMax: 0.4)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => SigmaSchedules.FlowShift(8, shift: 0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*shift*");
        FluentActions.Invoking(() => SigmaSchedules.FlowShift(0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    private static double[] Times(FlowTimeDistribution d, ulong seed, int n)
    {
        using var scope = new TensorScope();
        using var g = new Generator(seed);
        return d.SampleTimes(n, g, DType.Float64).ToArray<double>();
    }

    /// <summary>The Kolmogorov–Smirnov distance between draws and the CDF obtained by integrating the density.</summary>
    private static double KolmogorovSmirnov(double[] draws, Func<double, double> density)
    {
        const int cells = 20_000;
        var cdf = new double[cells + 1];
        double h = 1.0 / cells;
        for (int k = 1; k <= cells; k++)
        {
            double a = (k - 1) * h, m = a + (h / 2), b = k * h;   // Simpson on each cell; the density is 0 at the ends.
            cdf[k] = cdf[k - 1] + (h / 6 * (density(a) + (4 * density(m)) + density(b)));
        }

        cdf[cells].Should().BeApproximately(1, 2e-3, "the density integrates to 1");
        double[] sorted = [.. draws.Order()];
        double worst = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            double u = sorted[i] / h;
            int k = Math.Min((int)u, cells - 1);
            double f = cdf[k] + ((u - k) * (cdf[k + 1] - cdf[k]));
            worst = Math.Max(worst, Math.Max(Math.Abs(f - ((i + 1.0) / sorted.Length)), Math.Abs(f - ((double)i / sorted.Length))));
        }

        return worst;
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(-0.5, 0.7)]
    public void Logit_normal_draws_follow_sd3_equation_19_and_equal_edm_log_normal_in_sigma(double m, double s)
    {
        const int n = 50_000;
        var d = new LogitNormalNoiseLevels(m, s);
        KolmogorovSmirnov(Times(d, 11, n), d.Density).Should().BeLessThan(1.95 / Math.Sqrt(n), "KS at the 0.1% level");
        using var g1 = new Generator(12);
        using var g2 = new Generator(12);
        d.Sample(1000, g1).ToArray<float>().Should().Equal(new LogNormalNoiseLevels(m, s).Sample(1000, g2).ToArray<float>(),
            "σ = t/(1 − t) = e^{m + s·z}: the logit-normal in σ form is EDM's log-normal");
        d.Density(0.5).Should().BeApproximately(Math.Exp(-0.5 * m * m / (s * s)) / (s * Math.Sqrt(2 * Math.PI) * 0.25), 1e-12);
        FluentActions.Invoking(() => new LogitNormalNoiseLevels(0, 0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*scale s*");
    }

    [Theory]
    [InlineData(1.29)]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    public void Mode_draws_follow_sd3_equation_20(double scale)
    {
        const int n = 50_000;
        var d = new ModeNoiseLevels(scale);
        double[] t = Times(d, 21, n);
        t.Should().OnlyContain(v => v > 0 && v < 1);
        KolmogorovSmirnov(t, d.Density).Should().BeLessThan(1.95 / Math.Sqrt(n));
        d.Map(0).Should().Be(1);
        d.Map(1).Should().BeApproximately(0, 1e-15);
        if (scale == 0) d.Density(0.3).Should().BeApproximately(1, 1e-9, "s = 0 is uniform t");

        using var g = new Generator(22);
        using var g2 = new Generator(22);
        double[] sigma = d.Sample(2000, g, DType.Float64).ToArray<double>();
        double[] times = d.SampleTimes(2000, g2, DType.Float64).ToArray<double>();
        sigma.Should().Equal(times.Select(v => v / (1 - v)), (a, b) => Math.Abs(a - b) <= 1e-12 * Math.Max(1, b), "σ = t/(1 − t) of the same draws");
    }

    [Fact]
    public void Mode_scale_outside_the_monotone_range_is_rejected_and_end_draws_stay_finite()
    {
        FluentActions.Invoking(() => new ModeNoiseLevels(1.8)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[−1, 2/(π−2)*");
        FluentActions.Invoking(() => new ModeNoiseLevels(-1.01)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new ModeNoiseLevels(double.NaN)).Should().Throw<ArgumentOutOfRangeException>();

        // s = −1 has infinite density at t = 1, so some draws round to t = 1 in float64; σ must stay finite.
        using var g = new Generator(5);
        double[] sigma = new ModeNoiseLevels(-1).Sample(200_000, g, DType.Float64).ToArray<double>();
        sigma.Should().OnlyContain(v => double.IsFinite(v) && v > 0);
    }
}
