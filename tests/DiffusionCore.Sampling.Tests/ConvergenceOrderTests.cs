using DiffusionCore.Analytic;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using Xunit.Abstractions;

namespace DiffusionCore.Sampling.Tests;

/// <summary>One set of starting points and their 1,024-step Heun solution, shared by the convergence tests.</summary>
public sealed class ConvergenceFixture : IDisposable
{
    public const int Samples = 1000;
    public const int ReferenceSteps = 1024;

    public ConvergenceFixture()
    {
        Mixture = MixtureFixture.CreateMixture();
        using var g = new Generator(31337);
        using var scope = new TensorScope();
        Noise = Tensor.Randn([Samples, 2], g, DType.Float64).DetachFromScope();
        Reference = Solve(new HeunSampler(new HeunOptions { StateDType = DType.Float64 }), ReferenceSteps).DetachFromScope();
    }

    public GaussianMixture Mixture { get; }

    public Tensor Noise { get; }

    public Tensor Reference { get; }

    /// <summary>Integrates the same starting points with <paramref name="steps"/> steps of the EDM schedule (float64).</summary>
    public Tensor Solve(ISampler sampler, int steps)
    {
        double[] sigmas = SigmaSchedules.Karras(steps);
        using var scope = new TensorScope();
        return sampler.Sample(Mixture, Noise * sigmas[0], sigmas).Samples.MoveToOuterScope();
    }

    /// <summary>RMS distance to the reference solution.</summary>
    public double Error(ISampler sampler, int steps)
    {
        using var scope = new TensorScope();
        return (Solve(sampler, steps) - Reference).Square().Sum([1L]).Mean().Sqrt().ToDouble();
    }

    public void Dispose()
    {
        Noise.Dispose();
        Reference.Dispose();
        Mixture.Dispose();
    }
}

/// <summary>
/// The global error against a 1,024-step solution must fall like h (Euler) and h² (Heun, RK2, DPM-Solver++(2M)):
/// about 2× and 4× per doubling of the step count. The slope of log error against log N is fitted and asserted.
/// </summary>
public class ConvergenceOrderTests(ConvergenceFixture fixture, ITestOutputHelper output) : IClassFixture<ConvergenceFixture>
{
    private static readonly int[] Steps = [32, 64, 128, 256];

    private double Slope(string name, ISampler sampler)
    {
        double[] errors = Steps.Select(n => fixture.Error(sampler, n)).ToArray();
        double[] lx = Steps.Select(n => Math.Log(n)).ToArray();
        double[] ly = errors.Select(e => Math.Log(e)).ToArray();
        double mx = lx.Average(), my = ly.Average();
        double slope = lx.Zip(ly).Sum(p => (p.First - mx) * (p.Second - my)) / lx.Sum(v => (v - mx) * (v - mx));
        output.WriteLine($"{name}: errors {string.Join(", ", Steps.Zip(errors, (n, e) => $"N={n}: {e:E3}"))}; " +
            $"ratios per doubling {string.Join(", ", errors.Zip(errors.Skip(1), (a, b) => (a / b).ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}; slope {slope:F3}");
        return slope;
    }

    [Fact]
    public void Euler_is_first_order()
    {
        Slope("Euler", new EulerSampler(new EulerOptions { StateDType = DType.Float64 })).Should().BeInRange(-1.15, -0.85);
    }

    [Fact]
    public void Heun_is_second_order()
    {
        Slope("Heun", new HeunSampler(new HeunOptions { StateDType = DType.Float64 })).Should().BeInRange(-2.3, -1.7);
    }

    [Fact]
    public void Runge_kutta_midpoint_and_dpm_solver_2m_are_second_order()
    {
        Slope("RK2 α=0.5", new GeneralizedSampler(new GeneralizedSamplerOptions { Solver = OdeSolver.RungeKutta2, Alpha = 0.5, StateDType = DType.Float64 }))
            .Should().BeInRange(-2.3, -1.7);
        Slope("DPM-Solver++(2M)", new DpmSolverPlusPlus2MSampler(new DpmSolverPlusPlus2MOptions { StateDType = DType.Float64 }))
            .Should().BeInRange(-2.3, -1.7);
    }
}
