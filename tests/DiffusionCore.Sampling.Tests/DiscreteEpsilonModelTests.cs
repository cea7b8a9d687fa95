using DiffusionCore.Analytic;
using DiffusionCore.Denoisers;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using Xunit.Abstractions;

namespace DiffusionCore.Sampling.Tests;

/// <summary>DDIM and ancestral DDPM through the ε-prediction adapter of a discrete (DiT-style) schedule.</summary>
[Collection(MixtureTestGroup.Name)]
public class DiscreteEpsilonModelTests(MixtureFixture fixture, ITestOutputHelper output)
{
    private static PreconditionedDenoiser EpsilonModel(IDenoiser oracle, DiscreteSchedule schedule) =>
        PreconditionedDenoiser.EpsilonPrediction(new EpsilonOracleNetwork(oracle, schedule), schedule, TimestepRounding.Nearest);

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Ancestral_ddpm_with_250_steps_reproduces_the_mixture_like_dit()
    {
        var schedule = DiscreteSchedule.Linear();
        double[] sigmas = schedule.StepSigmas(250);
        using var g = new Generator(21);
        var noise = new GeneratorNoiseSource(g);
        using var scope = new TensorScope();
        Tensor x = Latents.Initial(noise, [MixtureFixture.N, 2], sigmas);
        SamplingResult result = new DdpmAncestralSampler().Sample(EpsilonModel(fixture.Mixture, schedule), x, sigmas, noise: noise);
        result.FunctionEvaluations.Should().Be(250);
        DistributionReport r = DistributionReport.Measure(result.Samples, fixture);
        r.Print(output, "Ancestral DDPM, linear β, 250 steps, ε-model adapter");
        r.ShouldMatchEverything();
    }

    [Fact]
    public void Ddim_with_eta_0_is_euler_in_sigma()
    {
        var schedule = DiscreteSchedule.Cosine();
        double[] sigmas = schedule.StepSigmas(20, TimestepSpacing.Leading);
        using var scope = new TensorScope();
        using var g = new Generator(5);
        Tensor x = Tensor.Randn([256, 2], g, DType.Float64) * sigmas[0];
        var options = new DdimOptions { StateDType = DType.Float64 };
        double[] ddim = new DdimSampler(options).Sample(fixture.Mixture, x, sigmas).Samples.ToArray<double>();
        double[] euler = new EulerSampler(new EulerOptions { StateDType = DType.Float64 }).Sample(fixture.Mixture, x, sigmas).Samples.ToArray<double>();
        for (int i = 0; i < ddim.Length; i++) ddim[i].Should().BeApproximately(euler[i], 1e-10);
    }

    [Fact]
    public void Ancestral_ddpm_with_posterior_variance_is_ddim_with_eta_1()
    {
        var schedule = DiscreteSchedule.Linear();
        double[] sigmas = schedule.StepSigmas(30);
        using var scope = new TensorScope();
        ulong[] seeds = [1, 2, 3, 4, 5, 6, 7, 8];
        Tensor Sample(ISampler sampler)
        {
            using var noise = new PerSampleNoiseSource(seeds);
            Tensor x = Latents.Initial(noise, [8, 2], sigmas).To(DType.Float64);
            return sampler.Sample(fixture.Mixture, x, sigmas, noise: noise).Samples;
        }

        double[] ddpm = Sample(new DdpmAncestralSampler(new DdpmOptions { StateDType = DType.Float64 })).ToArray<double>();
        double[] ddim = Sample(new DdimSampler(new DdimOptions { Eta = 1, StateDType = DType.Float64 })).ToArray<double>();
        for (int i = 0; i < ddpm.Length; i++) ddpm[i].Should().BeApproximately(ddim[i], 1e-9);

        double[] large = Sample(new DdpmAncestralSampler(new DdpmOptions { Variance = DdpmVariance.Large, StateDType = DType.Float64 })).ToArray<double>();
        large.Should().NotEqual(ddpm, "β_t and β̃_t differ");
    }

    [Fact]
    public void Stochastic_discrete_samplers_require_a_noise_source()
    {
        using var scope = new TensorScope();
        double[] sigmas = DiscreteSchedule.Linear().StepSigmas(5);
        Tensor x = Tensor.Zeros([2, 2]);
        FluentActions.Invoking(() => new DdimSampler(new DdimOptions { Eta = 0.5 }).Sample(fixture.Mixture, x, sigmas))
            .Should().Throw<ArgumentException>().WithMessage("*η > 0*PerSampleNoiseSource*");
        FluentActions.Invoking(() => new DdpmAncestralSampler().Sample(fixture.Mixture, x, sigmas))
            .Should().Throw<ArgumentException>().WithMessage("*Ancestral DDPM*INoiseSource*");
        FluentActions.Invoking(() => new DdimOptions { Eta = 1.5 }.Validate()).Should().Throw<ArgumentException>().WithMessage("*η*");
    }
}
