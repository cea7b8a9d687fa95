using DiffusionCore.Analytic;
using DiffusionCore.Denoisers;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using Xunit.Abstractions;

namespace DiffusionCore.Sampling.Tests;

/// <summary>
/// A rectified-flow model, here the mixture's closed-form velocity E[ε − y | x_t] as a network, sampled through the σ
/// view (<see cref="PreconditionedDenoiser.FlowMatching"/>) by every solver and natively in t: the samples must be those
/// of the mixture's own denoiser and reproduce the mixture.
/// </summary>
[Collection(MixtureTestGroup.Name)]
public class FlowMatchingSamplingTests(MixtureFixture fixture, ITestOutputHelper output)
{
    private static readonly PreconditionedDenoiserOptions Float64 = new() { ComputeDType = DType.Float64 };

    public static TheoryData<string> Solvers =>
        ["euler", "heun", "dpm2m", "ddim-eta", "euler-ancestral", "dpm2m-sde", "dpm3m-sde", "unipc-2", "unipc-3", "lms-4", "flow-euler-in-t", "flow-heun-in-t"];

    private static ISampler Create(string name) => name switch
    {
        "euler" => new EulerSampler(new EulerOptions { StateDType = DType.Float64 }),
        "heun" => new HeunSampler(new HeunOptions { StateDType = DType.Float64 }),
        "dpm2m" => new DpmSolverPlusPlus2MSampler(new DpmSolverPlusPlus2MOptions { StateDType = DType.Float64 }),
        "ddim-eta" => new DdimSampler(new DdimOptions { Eta = 0.5, StateDType = DType.Float64 }),
        "euler-ancestral" => new EulerAncestralSampler(new EulerAncestralOptions { StateDType = DType.Float64 }),
        "dpm2m-sde" => new DpmSolverPlusPlus2MSdeSampler(new DpmSolverPlusPlus2MSdeOptions { StateDType = DType.Float64 }),
        "dpm3m-sde" => new DpmSolverPlusPlus3MSdeSampler(new DpmSolverPlusPlus3MSdeOptions { StateDType = DType.Float64 }),
        "unipc-2" => new UniPcSampler(new UniPcOptions { StateDType = DType.Float64 }),
        "unipc-3" => new UniPcSampler(new UniPcOptions { Order = 3, StateDType = DType.Float64 }),
        "lms-4" => new LmsSampler(new LmsOptions { StateDType = DType.Float64 }),
        "flow-euler-in-t" => new GeneralizedSampler(GeneralizedSamplerOptions.RectifiedFlowPreset(OdeSolver.Euler) with { StateDType = DType.Float64 }),
        _ => new GeneralizedSampler(GeneralizedSamplerOptions.RectifiedFlowPreset() with { StateDType = DType.Float64 }),
    };

    private static double[] Sample(ISampler sampler, IDenoiser denoiser, double[] sigmas, ulong[] seeds)
    {
        using var scope = new TensorScope();
        using var noise = new PerSampleNoiseSource(seeds);
        Tensor x = Latents.Initial(noise, [seeds.Length, 2], sigmas).To(DType.Float64);
        return sampler.Sample(denoiser, x, sigmas, noise: noise).Samples.ToArray<double>();
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void Every_solver_samples_the_velocity_model_as_it_samples_the_denoiser(string solver)
    {
        using GaussianMixture mixture = MixtureFixture.CreateMixture();
        var flow = PreconditionedDenoiser.FlowMatching(new VelocityOracleNetwork(mixture, timeScale: 1000), timeScale: 1000, Float64);
        double[] sigmas = SigmaSchedules.FlowShift(16, shift: 3);
        ulong[] seeds = [3, 1, 4, 1, 5, 9, 2, 6];
        double[] viaVelocity = Sample(Create(solver), flow, sigmas, seeds);
        double[] viaDenoiser = Sample(Create(solver), mixture, sigmas, seeds);
        viaVelocity.Should().Equal(viaDenoiser, (a, b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(b)));
    }

    [Theory]
    [InlineData("flow-heun-in-t", 64)]
    [InlineData("unipc-3", 64)]
    [InlineData("dpm2m-sde", 256)]
    public void Sampling_the_velocity_model_on_the_flow_grid_reproduces_the_mixture(string solver, int steps)
    {
        var flow = PreconditionedDenoiser.FlowMatching(new VelocityOracleNetwork(fixture.Mixture));
        double[] sigmas = SigmaSchedules.FlowShift(steps, shift: 3);
        using var g = new Generator(4242 + (ulong)steps);
        var noise = new GeneratorNoiseSource(g);
        using var scope = new TensorScope();
        Tensor x = Latents.Initial(noise, [MixtureFixture.N, 2], sigmas);
        SamplingResult result = Create(solver).Sample(flow, x, sigmas, noise: noise);
        DistributionReport report = DistributionReport.Measure(result.Samples, fixture);
        report.Print(output, $"flow model, {solver}, flow-shift N={steps}");
        report.ShouldMatchEverything();
    }
}
