using DiffusionCore.Analytic;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Sampling.Tests;

/// <summary>The generalised sampler with σ(t) = t, s(t) = 1 is Algorithm 2; other columns solve the same ODE.</summary>
public class SamplerEquivalenceTests
{
    private static double[] Run(ISampler sampler, double[] sigmas, ulong[] seeds)
    {
        using var scope = new TensorScope();
        using GaussianMixture m = MixtureFixture.CreateMixture();
        using var noise = new PerSampleNoiseSource(seeds);
        Tensor x = Latents.Initial(noise, [seeds.Length, 2], sigmas).To(DType.Float64);
        return sampler.Sample(m, x, sigmas, noise: noise).Samples.ToArray<double>();
    }

    private static void Close(double[] a, double[] b, double tol)
    {
        a.Should().HaveSameCount(b);
        for (int i = 0; i < a.Length; i++) a[i].Should().BeApproximately(b[i], tol);
    }

    [Fact]
    public void Generalized_linear_heun_is_edm_algorithm_2_with_and_without_churn()
    {
        double[] sigmas = SigmaSchedules.Karras(18);
        ulong[] seeds = [1, 2, 3, 4, 5, 6, 7, 8];
        var churn = new StochasticityOptions { SChurn = 30, SMin = 0.05, SMax = 50, SNoise = 1.003 };
        foreach (StochasticityOptions s in new[] { StochasticityOptions.None, churn })
        {
            double[] heun = Run(new HeunSampler(new HeunOptions { StateDType = DType.Float64, Stochasticity = s }), sigmas, seeds);
            double[] general = Run(new GeneralizedSampler(new GeneralizedSamplerOptions { StateDType = DType.Float64, Stochasticity = s }), sigmas, seeds);
            Close(general, heun, 1e-10);
            double[] euler = Run(new EulerSampler(new EulerOptions { StateDType = DType.Float64, Stochasticity = s }), sigmas, seeds);
            double[] generalEuler = Run(new GeneralizedSampler(new GeneralizedSamplerOptions { Solver = OdeSolver.Euler, StateDType = DType.Float64, Stochasticity = s }), sigmas, seeds);
            Close(generalEuler, euler, 1e-10);
        }
    }

    [Fact]
    public void Every_time_parameterisation_converges_to_the_same_ode_solution()
    {
        // Same σ grid, different (σ(t), s(t)): all integrate the same probability-flow ODE, so with many steps they agree.
        double[] sigmas = SigmaSchedules.Karras(256, sigmaMax: 20);
        ulong[] seeds = [11, 12, 13, 14];
        double[] linear = Run(new GeneralizedSampler(GeneralizedSamplerOptions.LinearPreset() with { StateDType = DType.Float64 }), sigmas, seeds);
        Close(Run(new GeneralizedSampler(GeneralizedSamplerOptions.VpPreset() with { StateDType = DType.Float64 }), sigmas, seeds), linear, 2e-3);
        Close(Run(new GeneralizedSampler(GeneralizedSamplerOptions.VePreset() with { StateDType = DType.Float64 }), sigmas, seeds), linear, 2e-3);
    }

    [Fact]
    public void Euler_ancestral_is_ddim_with_the_same_eta_and_euler_without_noise()
    {
        double[] sigmas = SigmaSchedules.Karras(12);
        ulong[] seeds = [21, 22, 23, 24];
        foreach (double eta in new[] { 0.5, 1.0 })
        {
            Run(new EulerAncestralSampler(new EulerAncestralOptions { Eta = eta, StateDType = DType.Float64 }), sigmas, seeds)
                .Should().Equal(Run(new DdimSampler(new DdimOptions { Eta = eta, StateDType = DType.Float64 }), sigmas, seeds));
        }

        Close(Run(new EulerAncestralSampler(new EulerAncestralOptions { Eta = 0, StateDType = DType.Float64 }), sigmas, seeds),
            Run(new EulerSampler(new EulerOptions { StateDType = DType.Float64 }), sigmas, seeds), 1e-12);
    }

    [Fact]
    public void Dpm_solver_2m_sde_with_eta_0_is_dpm_solver_2m_and_with_eta_1_starts_with_the_ddpm_posterior()
    {
        double[] sigmas = SigmaSchedules.Karras(12);
        ulong[] seeds = [31, 32, 33, 34];
        Close(Run(new DpmSolverPlusPlus2MSdeSampler(new DpmSolverPlusPlus2MSdeOptions { Eta = 0, StateDType = DType.Float64 }), sigmas, seeds),
            Run(new DpmSolverPlusPlus2MSampler(new DpmSolverPlusPlus2MOptions { StateDType = DType.Float64 }), sigmas, seeds), 1e-12);

        // One step: the first-order SDE step with η = 1 is the DDPM posterior (mean D + (σ'/σ)²(x − D), std σ'√(1 − (σ'/σ)²)).
        double[] oneStep = [5.0, 1.0];
        Close(Run(new DpmSolverPlusPlus2MSdeSampler(new DpmSolverPlusPlus2MSdeOptions { StateDType = DType.Float64 }), oneStep, seeds),
            Run(new DdpmAncestralSampler(new DdpmOptions { StateDType = DType.Float64 }), oneStep, seeds), 1e-12);
    }

    [Fact]
    public void Rectified_flow_euler_in_t_takes_the_steps_of_euler_in_sigma()
    {
        // dx_t/dt = (x_t − D)/t with x_t = x/(1 + σ): Euler in t is DDIM, which is Euler in σ (SD3's flow-matching Euler).
        double[] sigmas = SigmaSchedules.FlowShift(10, shift: 3);
        ulong[] seeds = [41, 42, 43];
        Close(Run(new GeneralizedSampler(GeneralizedSamplerOptions.RectifiedFlowPreset(OdeSolver.Euler) with { StateDType = DType.Float64 }), sigmas, seeds),
            Run(new EulerSampler(new EulerOptions { StateDType = DType.Float64 }), sigmas, seeds), 1e-9);
    }
}
