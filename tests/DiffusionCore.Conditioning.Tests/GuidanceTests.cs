using DiffusionCore.Analytic;
using DiffusionCore.Sampling;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Guidance.Tests;

public sealed class GuidanceTests : IDisposable
{
    private readonly GaussianMixture _class0 = GaussianMixture.Isotropic([2, 1], [[-1.0, -0.5], [-0.5, 1.0]], [0.3, 0.25]);
    private readonly GaussianMixture _class1 = new([1, 1], [[1.0, 0.5], [1.5, -1.0]], [[0.35, 0.2], [0.3, 0.4]]);
    private readonly ClassConditionalGaussianMixture _cc;
    private readonly TensorScope _scope = new();

    public GuidanceTests() => _cc = new ClassConditionalGaussianMixture([_class0, _class1], [0.6, 0.4]);

    public void Dispose()
    {
        _scope.Dispose();
        _cc.Dispose();
        _class0.Dispose();
        _class1.Dispose();
    }

    /// <summary>The closed-form posterior mean in scalar C#, independent of the tensor code.</summary>
    private static double[] Posterior(IEnumerable<(double W, double[] Mu, double[] S)> components, double[] x, double sigma)
    {
        var c = components.ToArray();
        double[] logits = c.Select(k => Math.Log(k.W) + Enumerable.Range(0, 2).Sum(j =>
        {
            double v = (k.S[j] * k.S[j]) + (sigma * sigma);
            return -0.5 * ((Math.Pow(x[j] - k.Mu[j], 2) / v) + Math.Log(v));
        })).ToArray();
        double max = logits.Max();
        double[] r = logits.Select(l => Math.Exp(l - max)).ToArray();
        double total = r.Sum();
        return Enumerable.Range(0, 2).Select(j => c.Select((k, i) =>
        {
            double s2 = k.S[j] * k.S[j];
            return r[i] / total * (k.Mu[j] + (s2 / (s2 + (sigma * sigma)) * (x[j] - k.Mu[j])));
        }).Sum()).ToArray();
    }

    private static IEnumerable<(double W, double[] Mu, double[] S)> Components(GaussianMixture m, double prior = 1) =>
        Enumerable.Range(0, m.Components).Select(k => (prior * m.Weights[k], m.Means[k].ToArray(), m.Stds[k].ToArray()));

    private (Tensor X, Tensor Sigma, Conditioning Cond, double[] Xs, double[] Sigmas, long[] Labels) Batch()
    {
        double[] xs = [0.2, 0.1, -0.8, 0.3, 1.1, -0.4, 0.0, 0.0, 2.0, 1.0];
        double[] sigmas = [0.1, 0.5, 1.0, 2.0, 10.0];
        long[] labels = [0, 1, 0, 1, 1];
        return (Tensor.FromArray(xs, 5, 2), Tensor.FromArray(sigmas), Conditioning.FromClassLabels(Tensor.FromArray(labels)), xs, sigmas, labels);
    }

    private double[] ClosedFormCfg(double[] x, double sigma, long label, double w)
    {
        double[] dc = Posterior(Components(label == 0 ? _class0 : _class1), x, sigma);
        double[] du = Posterior(Components(_class0, 0.6).Concat(Components(_class1, 0.4)), x, sigma);
        return [du[0] + (w * (dc[0] - du[0])), du[1] + (w * (dc[1] - du[1]))];
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Classifier_free_guidance_equals_the_closed_form_guided_denoiser(bool batched)
    {
        var (x, sigma, cond, xs, sigmas, labels) = Batch();
        var counter = new CountingDenoiser(_cc);
        var cfg = new ClassifierFreeGuidance(counter, 2.5, Unconditional.NullClassLabel(_cc.NullClass), new ClassifierFreeGuidanceOptions { BatchBranches = batched });
        double[] d = cfg.Denoise(x, sigma, cond).ToArray<double>();
        for (int i = 0; i < 5; i++)
        {
            double[] expected = ClosedFormCfg(xs[(2 * i)..(2 * i + 2)], sigmas[i], labels[i], 2.5);
            d[2 * i].Should().BeApproximately(expected[0], 1e-12);
            d[(2 * i) + 1].Should().BeApproximately(expected[1], 1e-12);
        }

        counter.Calls.Should().Be(batched ? 1 : 2);
        counter.SamplesEvaluated.Should().Be(10);
    }

    [Fact]
    public void Scale_one_is_the_conditional_denoiser_without_an_unconditional_call()
    {
        var (x, sigma, cond, _, _, _) = Batch();
        var counter = new CountingDenoiser(_cc);
        double[] d = new ClassifierFreeGuidance(counter, 1, Unconditional.NullClassLabel(2)).Denoise(x, sigma, cond).ToArray<double>();
        d.Should().Equal(_cc.Denoise(x, sigma, cond).ToArray<double>());
        counter.SamplesEvaluated.Should().Be(5);
    }

    [Fact]
    public void Guidance_interval_guides_only_inside_the_sigma_range()
    {
        var (x, sigma, cond, xs, sigmas, labels) = Batch();
        var counter = new CountingDenoiser(_cc);
        var cfg = new ClassifierFreeGuidance(counter, 3, Unconditional.NullClassLabel(_cc.NullClass),
            new ClassifierFreeGuidanceOptions { Interval = new GuidanceInterval(0.4, 2.0) });
        double[] d = cfg.Denoise(x, sigma, cond).ToArray<double>();
        double[] conditional = _cc.Denoise(x, sigma, cond).ToArray<double>();
        for (int i = 0; i < 5; i++)
        {
            double[] expected = new GuidanceInterval(0.4, 2.0).Contains(sigmas[i]) ? ClosedFormCfg(xs[(2 * i)..(2 * i + 2)], sigmas[i], labels[i], 3) : conditional[(2 * i)..(2 * i + 2)];
            d[2 * i].Should().BeApproximately(expected[0], 1e-12);
            d[(2 * i) + 1].Should().BeApproximately(expected[1], 1e-12);
        }

        counter.Reset();
        cfg.Denoise(x.Narrow(0, 4, 1), sigma.Narrow(0, 4, 1), cond.Narrow(4, 1));
        counter.SamplesEvaluated.Should().Be(1, "σ = 10 lies outside the interval, so the unconditional branch is skipped");
    }

    [Fact]
    public void Autoguidance_combines_a_separate_guide()
    {
        var (x, sigma, cond, xs, sigmas, labels) = Batch();
        using var weakClass0 = GaussianMixture.Isotropic([1], [[-0.8, 0.2]], [0.6]);
        using var weakClass1 = GaussianMixture.Isotropic([1], [[1.1, 0.0]], [0.6]);
        using var weak = new ClassConditionalGaussianMixture([weakClass0, weakClass1], [0.6, 0.4]);
        var guided = new Autoguidance(_cc, weak, 2.2);
        double[] d = guided.Denoise(x, sigma, cond).ToArray<double>();
        for (int i = 0; i < 5; i++)
        {
            double[] main = Posterior(Components(labels[i] == 0 ? _class0 : _class1), xs[(2 * i)..(2 * i + 2)], sigmas[i]);
            double[] guide = Posterior(Components(labels[i] == 0 ? weakClass0 : weakClass1), xs[(2 * i)..(2 * i + 2)], sigmas[i]);
            d[2 * i].Should().BeApproximately(guide[0] + (2.2 * (main[0] - guide[0])), 1e-12);
            d[(2 * i) + 1].Should().BeApproximately(guide[1] + (2.2 * (main[1] - guide[1])), 1e-12);
        }

        // An unconditional guide (EDM2-style classifier-free guidance with a separate model).
        var edm2Cfg = new Autoguidance(_cc, _cc.Marginal, 2.5, new AutoguidanceOptions { GuideConditioning = _ => Conditioning.None });
        double[] e = edm2Cfg.Denoise(x, sigma, cond).ToArray<double>();
        double[] expected0 = ClosedFormCfg(xs[0..2], sigmas[0], labels[0], 2.5);
        e[0].Should().BeApproximately(expected0[0], 1e-12);
        e[1].Should().BeApproximately(expected0[1], 1e-12);
    }

    [Fact]
    public void Unconditional_mappings_that_change_entries_fall_back_to_two_calls()
    {
        var (x, sigma, cond, _, _, _) = Batch();
        var counter = new CountingDenoiser(_cc);
        double[] dropped = new ClassifierFreeGuidance(counter, 2.5, Unconditional.Drop(ConditioningKeys.ClassLabels)).Denoise(x, sigma, cond).ToArray<double>();
        counter.Calls.Should().Be(2);
        double[] nullLabel = new ClassifierFreeGuidance(_cc, 2.5, Unconditional.NullClassLabel(_cc.NullClass)).Denoise(x, sigma, cond).ToArray<double>();
        dropped.Should().Equal(nullLabel, (p, q) => Math.Abs(p - q) < 1e-12);
    }

    [Fact]
    public void Guided_sampling_with_scale_one_reproduces_the_class()
    {
        const int n = 5000;
        double[] sigmas = SigmaSchedules.Karras(64);
        using var g = new Generator(12);
        var noise = new GeneratorNoiseSource(g);
        var cfg = new ClassifierFreeGuidance(_cc, 1.0, Unconditional.NullClassLabel(_cc.NullClass));
        Conditioning cond = Conditioning.FromClassLabels(Tensor.Full([n], 1, DType.Int64));
        Tensor samples = new HeunSampler().Sample(cfg, Latents.Initial(noise, [n, 2], sigmas), sigmas, cond).Samples.To(DType.Float64);
        double[] mean = samples.Mean([0L]).ToArray<double>();
        double[] std = samples.Std([0L]).ToArray<double>();
        double[] expected = _class1.Mean();
        for (int j = 0; j < 2; j++) mean[j].Should().BeApproximately(expected[j], 4 * std[j] / Math.Sqrt(n));
    }

    [Fact]
    public void Invalid_guidance_arguments_are_rejected()
    {
        FluentActions.Invoking(() => new ClassifierFreeGuidance(_cc, double.NaN, Unconditional.NullClassLabel(2))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*scale*");
        FluentActions.Invoking(() => new GuidanceInterval(2, 1).Validate()).Should().Throw<ArgumentException>().WithMessage("*SigmaMin ≤ SigmaMax*");
        var (x, sigma, cond, _, _, _) = Batch();
        var bad = new ClassifierFreeGuidance(_cc, 2, c => c.With(ConditioningKeys.ClassLabels, Tensor.Full([3], 2, DType.Int64)));
        FluentActions.Invoking(() => bad.Denoise(x, sigma, cond)).Should().Throw<InvalidOperationException>().WithMessage("*unconditional conditioning does not fit*");
    }
}
