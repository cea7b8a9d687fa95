using DiffusionCore.Analytic;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Sampling.Tests;

public class NfeTests
{
    private static (long Calls, int Reported) Count(ISampler sampler, double[] sigmas, bool stochastic = false)
    {
        using var scope = new TensorScope();
        using GaussianMixture m = MixtureFixture.CreateMixture();
        var counter = new CountingDenoiser(m);
        using var g = new Generator(1);
        var noise = new GeneratorNoiseSource(g);
        SamplingResult r = sampler.Sample(counter, Latents.Initial(noise, [16, 2], sigmas), sigmas, noise: stochastic ? noise : null);
        sampler.FunctionEvaluations(sigmas).Should().Be((int)counter.Calls, "ISampler.FunctionEvaluations predicts the calls Sample makes");
        return (counter.Calls, r.FunctionEvaluations);
    }

    [Fact]
    public void Heun_uses_2N_minus_1_calls_and_first_order_solvers_N()
    {
        double[] sigmas = SigmaSchedules.Karras(18);
        Count(new HeunSampler(), sigmas).Should().Be((35L, 35));
        Count(new HeunSampler(new HeunOptions { Stochasticity = new StochasticityOptions { SChurn = 10 } }), sigmas, stochastic: true).Should().Be((35L, 35));
        Count(new GeneralizedSampler(), sigmas).Should().Be((35L, 35));
        Count(new GeneralizedSampler(new GeneralizedSamplerOptions { Solver = OdeSolver.RungeKutta2, Alpha = 0.5 }), sigmas).Should().Be((35L, 35));
        Count(new EulerSampler(), sigmas).Should().Be((18L, 18));
        Count(new GeneralizedSampler(new GeneralizedSamplerOptions { Solver = OdeSolver.Euler }), sigmas).Should().Be((18L, 18));
        Count(new DdimSampler(), sigmas).Should().Be((18L, 18));
        Count(new DdpmAncestralSampler(), sigmas, stochastic: true).Should().Be((18L, 18));
    }

    [Fact]
    public void Dpm_solver_2m_uses_one_call_per_step()
    {
        Count(new DpmSolverPlusPlus2MSampler(), SigmaSchedules.Karras(10)).Should().Be((10L, 10));
        Count(new DpmSolverPlusPlus2MSampler(), SigmaSchedules.Karras(25)).Should().Be((25L, 25));
    }

    [Fact]
    public void Heun_into_a_nonzero_final_sigma_corrects_every_step()
    {
        double[] sigmas = SigmaSchedules.Karras(10)[..^1];       // 9 steps ending at σ_min = 0.002
        Count(new HeunSampler(), sigmas).Should().Be((18L, 18));
    }

    [Fact]
    public void New_multistep_and_ancestral_solvers_use_one_call_per_step()
    {
        double[] sigmas = SigmaSchedules.Karras(15);
        Count(new EulerAncestralSampler(), sigmas, stochastic: true).Should().Be((15L, 15));
        Count(new DpmSolverPlusPlus2MSdeSampler(), sigmas, stochastic: true).Should().Be((15L, 15));
        Count(new DpmSolverPlusPlus3MSdeSampler(), sigmas, stochastic: true).Should().Be((15L, 15));
        Count(new UniPcSampler(new UniPcOptions { Order = 3 }), sigmas).Should().Be((15L, 15));
        Count(new LmsSampler(), sigmas).Should().Be((15L, 15));
        Count(new GeneralizedSampler(GeneralizedSamplerOptions.RectifiedFlowPreset()), SigmaSchedules.FlowShift(15)).Should().Be((29L, 29));
    }
}
