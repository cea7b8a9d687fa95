using DiffusionCore.Analytic;
using DiffusionCore.Guidance;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Sampling.Tests;

/// <summary>
/// CFG++ and adaptive projected guidance against their definitions, computed here from the exact class-conditional
/// mixture: CFG++ inside an Euler/DDIM loop written out by hand, APG's rescaling and projection per sample.
/// </summary>
public sealed class CfgPlusPlusAndApgTests : IDisposable
{
    private readonly GaussianMixture _class0 = GaussianMixture.Isotropic([2, 1], [[-1.0, -0.5], [-0.5, 1.0]], [0.3, 0.25]);
    private readonly GaussianMixture _class1 = new([1, 1], [[1.0, 0.5], [1.5, -1.0]], [[0.35, 0.2], [0.3, 0.4]]);
    private readonly ClassConditionalGaussianMixture _cc;
    private readonly TensorScope _scope = new();

    public CfgPlusPlusAndApgTests() => _cc = new ClassConditionalGaussianMixture([_class0, _class1], [0.6, 0.4]);

    public void Dispose()
    {
        _scope.Dispose();
        _cc.Dispose();
        _class0.Dispose();
        _class1.Dispose();
    }

    private Func<Conditioning, Conditioning> Null => Unconditional.NullClassLabel(_cc.NullClass);

    private static Conditioning Labels(params long[] labels) => Conditioning.FromClassLabels(Tensor.FromArray(labels));

    private static Tensor Start(double[] sigmas, int count)
    {
        using var g = new Generator(99);
        return (Tensor.Randn([count, 2], g, DType.Float64) * sigmas[0]).MoveToOuterScope();
    }

    /// <summary>CFG++ DDIM (Chung et al. 2024, Algorithm 1) in σ form: x' = D_λ + σ'·(x − D_∅)/σ; outside the interval plain DDIM on D_c.</summary>
    private double[] HandWrittenCfgPlusPlus(Tensor x0, double[] sigmas, Conditioning cond, double lambda, GuidanceInterval interval)
    {
        Tensor x = x0;
        Conditioning uncond = Null(cond);
        for (int i = 0; i + 1 < sigmas.Length; i++)
        {
            Tensor dc = _cc.Denoise(x, sigmas[i], cond);
            Tensor du = _cc.Denoise(x, sigmas[i], uncond);
            bool guided = interval.Contains(sigmas[i]);
            Tensor clean = guided ? du + ((dc - du) * lambda) : dc;
            Tensor renoise = guided ? du : dc;
            x = clean + ((x - renoise) * (sigmas[i + 1] / sigmas[i]));
        }

        return x.ToArray<double>();
    }

    public static TheoryData<string> ExactSolvers => ["euler", "ddim", "flow-euler-in-t"];

    [Theory]
    [MemberData(nameof(ExactSolvers))]
    public void Cfg_plus_plus_under_an_euler_step_is_the_cfg_plus_plus_ddim_update(string solver)
    {
        double[] sigmas = SigmaSchedules.Karras(10);
        ISampler sampler = solver switch
        {
            "euler" => new EulerSampler(new EulerOptions { StateDType = DType.Float64 }),
            "ddim" => new DdimSampler(new DdimOptions { StateDType = DType.Float64 }),
            _ => new GeneralizedSampler(GeneralizedSamplerOptions.RectifiedFlowPreset(OdeSolver.Euler) with { StateDType = DType.Float64 }),
        };
        Conditioning cond = Labels(0, 1, 1, 0, 1, 0);
        Tensor x = Start(sigmas, 6);
        foreach (GuidanceInterval interval in new[] { GuidanceInterval.Always, new GuidanceInterval(0.1, 5) })
        {
            var guided = new CfgPlusPlus(_cc, 0.6, Null, sigmas, new CfgPlusPlusOptions { Interval = interval });
            double[] got = sampler.Sample(guided, x, sigmas, cond).Samples.ToArray<double>();
            double[] expected = HandWrittenCfgPlusPlus(x, sigmas, cond, 0.6, interval);
            got.Should().Equal(expected, (a, b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(b)), $"{solver}, interval {interval}");
        }
    }

    [Fact]
    public void Cfg_plus_plus_is_cfg_with_the_step_scale_lambda_sigma_over_the_step()
    {
        double[] grid = [10, 5, 1, 0];
        var guided = new CfgPlusPlus(_cc, 0.5, Null, grid);
        guided.EquivalentScale(10).Should().BeApproximately(0.5 * 10 / 5, 1e-15);
        guided.EquivalentScale(5).Should().BeApproximately(0.5 * 5 / 4, 1e-15);
        guided.EquivalentScale(1).Should().Be(0.5, "the step into σ = 0 returns D_λ");
        guided.EquivalentScale(7).Should().BeApproximately(0.5 * 7 / 6, 1e-15, "a churned σ̂ between levels belongs to the step of the level below");
        guided.EquivalentScale(20).Should().BeApproximately(0.5 * 20 / 15, 1e-15);
        guided.EquivalentScale((float)5.0000003).Should().BeApproximately(0.5 * 5.0000003f / (5.0000003f - 1), 1e-12, "float32 rounding of a level still finds it");

        Tensor x = Tensor.FromArray(new[] { 0.3, -0.2, 1.1, 0.4 }, 2, 2);
        Tensor sigma = Tensor.FromArray(new[] { 5.0, 1.0 });
        Conditioning cond = Labels(1, 0);
        double[] got = guided.Denoise(x, sigma, cond).ToArray<double>();
        double[] cfgAtFive = new ClassifierFreeGuidance(_cc, 0.5 * 5 / 4, Null).Denoise(x, sigma, cond).ToArray<double>();
        double[] cfgAtOne = new ClassifierFreeGuidance(_cc, 0.5, Null).Denoise(x, sigma, cond).ToArray<double>();
        got[0..2].Should().Equal(cfgAtFive[0..2], (a, b) => Math.Abs(a - b) < 1e-12);
        got[2..4].Should().Equal(cfgAtOne[2..4], (a, b) => Math.Abs(a - b) < 1e-12);

        double[] unconditional = new CfgPlusPlus(_cc, 0, Null, grid).Denoise(x, sigma, cond).ToArray<double>();
        unconditional.Should().Equal(_cc.Denoise(x, sigma, Null(cond)).ToArray<double>(), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    /// <summary>APG (Sadat et al. 2024, Algorithm 1 without momentum) per sample in scalar C#.</summary>
    private static double[] HandWrittenApg(double[] dc, double[] du, int dim, double w, double eta, double r)
    {
        var result = new double[dc.Length];
        for (int b = 0; b < dc.Length / dim; b++)
        {
            double[] c = dc[(b * dim)..((b + 1) * dim)];
            double[] delta = [.. Enumerable.Range(0, dim).Select(j => c[j] - du[(b * dim) + j])];
            double norm = Math.Sqrt(delta.Sum(v => v * v));
            double clip = Math.Min(1, r / norm);
            for (int j = 0; j < dim; j++) delta[j] *= clip;
            double coefficient = delta.Zip(c, (p, q) => p * q).Sum() / c.Sum(v => v * v);
            for (int j = 0; j < dim; j++)
            {
                double parallel = coefficient * c[j];
                result[(b * dim) + j] = c[j] + ((w - 1) * (delta[j] - parallel + (eta * parallel)));
            }
        }

        return result;
    }

    [Theory]
    [InlineData(3.0, 0.0, double.PositiveInfinity)]
    [InlineData(4.5, 0.25, 0.3)]
    [InlineData(2.0, 1.0, 0.05)]
    public void Apg_rescales_and_projects_the_guidance_update_per_sample(double w, double eta, double r)
    {
        Tensor x = Tensor.FromArray(new[] { 0.2, 0.1, -0.8, 0.3, 1.1, -0.4, 0.0, 0.0, 2.0, 1.0 }, 5, 2);
        Tensor sigma = Tensor.FromArray(new[] { 0.1, 0.5, 1.0, 2.0, 10.0 });
        Conditioning cond = Labels(0, 1, 0, 1, 1);
        var counter = new CountingDenoiser(_cc);
        var apg = new AdaptiveProjectedGuidance(counter, w, Null, new AdaptiveProjectedGuidanceOptions { ParallelWeight = eta, NormThreshold = r });
        double[] got = apg.Denoise(x, sigma, cond).ToArray<double>();
        double[] dc = _cc.Denoise(x, sigma, cond).ToArray<double>();
        double[] du = _cc.Denoise(x, sigma, Null(cond)).ToArray<double>();
        got.Should().Equal(HandWrittenApg(dc, du, 2, w, eta, r), (a, b) => Math.Abs(a - b) <= 1e-12);
        counter.Calls.Should().Be(1, "both branches run in one call of batch 2B");

        if (eta == 0 && double.IsPositiveInfinity(r))
        {
            for (int b = 0; b < 5; b++)
            {
                double inner = ((got[2 * b] - dc[2 * b]) * dc[2 * b]) + ((got[(2 * b) + 1] - dc[(2 * b) + 1]) * dc[(2 * b) + 1]);
                inner.Should().BeApproximately(0, 1e-12, "with η = 0 the guidance moves D orthogonally to D_c");
            }
        }
    }

    [Fact]
    public void Apg_with_the_whole_parallel_part_and_no_threshold_is_cfg_and_scale_one_is_conditional()
    {
        Tensor x = Tensor.FromArray(new[] { 0.2, 0.1, -0.8, 0.3 }, 2, 2);
        Tensor sigma = Tensor.FromArray(new[] { 0.7, 3.0 });
        Conditioning cond = Labels(1, 0);
        double[] apg = new AdaptiveProjectedGuidance(_cc, 2.5, Null, new AdaptiveProjectedGuidanceOptions { ParallelWeight = 1 }).Denoise(x, sigma, cond).ToArray<double>();
        double[] cfg = new ClassifierFreeGuidance(_cc, 2.5, Null).Denoise(x, sigma, cond).ToArray<double>();
        apg.Should().Equal(cfg, (a, b) => Math.Abs(a - b) < 1e-12);

        var counter = new CountingDenoiser(_cc);
        new AdaptiveProjectedGuidance(counter, 1, Null).Denoise(x, sigma, cond).ToArray<double>().Should().Equal(_cc.Denoise(x, sigma, cond).ToArray<double>());
        counter.SamplesEvaluated.Should().Be(2);

        var interval = new AdaptiveProjectedGuidance(_cc, 2.5, Null, new AdaptiveProjectedGuidanceOptions { Interval = new GuidanceInterval(0, 1) });
        double[] inside = interval.Denoise(x, sigma, cond).ToArray<double>();
        double[] conditional = _cc.Denoise(x, sigma, cond).ToArray<double>();
        inside[2..4].Should().Equal(conditional[2..4], "σ = 3 lies outside the interval");
        inside[0..2].Should().NotEqual(conditional[0..2]);
    }

    public static TheoryData<string> Solvers =>
        ["euler", "heun", "dpm2m", "dpm2m-sde", "dpm3m-sde", "unipc-3", "lms", "euler-ancestral", "flow-heun-in-t"];

    private static ISampler Create(string name) => name switch
    {
        "euler" => new EulerSampler(),
        "heun" => new HeunSampler(),
        "dpm2m" => new DpmSolverPlusPlus2MSampler(),
        "dpm2m-sde" => new DpmSolverPlusPlus2MSdeSampler(),
        "dpm3m-sde" => new DpmSolverPlusPlus3MSdeSampler(),
        "unipc-3" => new UniPcSampler(new UniPcOptions { Order = 3 }),
        "lms" => new LmsSampler(),
        "euler-ancestral" => new EulerAncestralSampler(),
        _ => new GeneralizedSampler(GeneralizedSamplerOptions.RectifiedFlowPreset()),
    };

    [Theory]
    [MemberData(nameof(Solvers))]
    public void Both_decorators_compose_with_every_solver_and_keep_images_batch_invariant(string solver)
    {
        double[] sigmas = SigmaSchedules.Karras(8);
        ulong[] seeds = [5, 6, 7, 8];
        long[] labels = [0, 1, 1, 0];
        IDenoiser[] guided =
        [
            new CfgPlusPlus(_cc, 0.7, Null, sigmas, new CfgPlusPlusOptions { Interval = new GuidanceInterval(0.05, 20) }),
            new AdaptiveProjectedGuidance(_cc, 4, Null, new AdaptiveProjectedGuidanceOptions { NormThreshold = 2, Interval = new GuidanceInterval(0.05, 20) }),
        ];
        foreach (IDenoiser denoiser in guided)
        {
            float[] Generate(ulong[] s, long[] l)
            {
                using var scope = new TensorScope();
                using var noise = new PerSampleNoiseSource(s);
                Tensor x = Latents.Initial(noise, [s.Length, 2], sigmas);
                return Create(solver).Sample(denoiser, x, sigmas, Labels(l), noise).Samples.ToArray<float>();
            }

            float[] batch = Generate(seeds, labels);
            batch.Should().OnlyContain(v => float.IsFinite(v));
            for (int k = 0; k < seeds.Length; k++)
            {
                Generate([seeds[k]], [labels[k]]).Should().Equal(batch[(2 * k)..(2 * k + 2)], $"{denoiser.GetType().Name}, image {k}");
            }
        }
    }

    [Fact]
    public void Invalid_scales_grids_and_options_are_rejected()
    {
        double[] grid = SigmaSchedules.Karras(5);
        FluentActions.Invoking(() => new CfgPlusPlus(_cc, double.NaN, Null, grid)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*must be finite*");
        FluentActions.Invoking(() => new CfgPlusPlus(_cc, 0.5, Null, [1.0, 2.0])).Should().Throw<ArgumentException>().WithMessage("*decrease strictly*");
        FluentActions.Invoking(() => new CfgPlusPlus(_cc, 0.5, Null, grid, new CfgPlusPlusOptions { Interval = new GuidanceInterval(3, 1) }))
            .Should().Throw<ArgumentException>().WithMessage("*SigmaMin ≤ SigmaMax*");
        FluentActions.Invoking(() => new AdaptiveProjectedGuidance(_cc, double.PositiveInfinity, Null)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*must be finite*");
        FluentActions.Invoking(() => new AdaptiveProjectedGuidance(_cc, 3, Null, new AdaptiveProjectedGuidanceOptions { ParallelWeight = double.NaN }))
            .Should().Throw<ArgumentException>().WithMessage("*parallel weight η must be finite*");
        FluentActions.Invoking(() => new AdaptiveProjectedGuidance(_cc, 3, Null, new AdaptiveProjectedGuidanceOptions { NormThreshold = 0 }))
            .Should().Throw<ArgumentException>().WithMessage("*norm threshold r must be positive*");
        FluentActions.Invoking(() => new AdaptiveProjectedGuidance(_cc, 3, Null, new AdaptiveProjectedGuidanceOptions { NormThreshold = double.NaN }))
            .Should().Throw<ArgumentException>().WithMessage("*norm threshold*");
        var bad = new AdaptiveProjectedGuidance(_cc, 2, c => c.With(ConditioningKeys.ClassLabels, Tensor.Full([3], 2, DType.Int64)));
        FluentActions.Invoking(() => bad.Denoise(Tensor.Zeros([2, 2], DType.Float64), Tensor.Ones([2], DType.Float64), Labels(0, 1)))
            .Should().Throw<InvalidOperationException>().WithMessage("*unconditional conditioning does not fit*");
    }
}
