using DiffusionCore.Analytic;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using Xunit.Abstractions;

namespace DiffusionCore.Sampling.Tests;

/// <summary>
/// One set of starting points and their 1,024-step classical Runge–Kutta (order 4) solution, shared by the convergence
/// tests; its error is far below that of any tested solver at 256 steps, so fourth-order slopes stay measurable.
/// </summary>
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
        Reference = RungeKutta4(SigmaSchedules.Karras(ReferenceSteps)).DetachFromScope();
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

    /// <summary>Classical RK4 on dx/dσ = (x − D(x; σ))/σ (Karras et al. 2022, Eq. 4) with an Euler step into σ = 0.</summary>
    private Tensor RungeKutta4(double[] sigmas)
    {
        Tensor F(Tensor x, double sigma) => (x - Mixture.Denoise(x, sigma)) / sigma;
        Tensor x = Noise * sigmas[0];
        for (int i = 0; i + 1 < sigmas.Length; i++)
        {
            double s = sigmas[i], h = sigmas[i + 1] - s;
            if (sigmas[i + 1] == 0) return Mixture.Denoise(x, s);
            Tensor k1 = F(x, s);
            Tensor k2 = F(x + (k1 * (h / 2)), s + (h / 2));
            Tensor k3 = F(x + (k2 * (h / 2)), s + (h / 2));
            Tensor k4 = F(x + (k3 * h), s + h);
            x = x + ((k1 + (k2 * 2) + (k3 * 2) + k4) * (h / 6));
        }

        return x;
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
/// The global error against a 1,024-step RK4 solution must fall like h^p for a solver of order p: about 2^p× per
/// doubling of the step count. The slope of log error against log N on the EDM grid (32 to 256 steps; 64 to 512 for
/// the new solvers, whose third- and fourth-order multistep forms start at lower order) is fitted and asserted.
/// </summary>
public class ConvergenceOrderTests(ConvergenceFixture fixture, ITestOutputHelper output) : IClassFixture<ConvergenceFixture>
{
    private static readonly int[] Steps = [32, 64, 128, 256];

    // Multistep methods of order 3–4 reach their asymptotic ratio later (LMS-4: 8.0, 11.7, 13.8 from N = 32).
    private static readonly int[] LongSteps = [64, 128, 256, 512];

    private double Slope(string name, ISampler sampler) => Slope(name, sampler, Steps);

    private double Slope(string name, ISampler sampler, int[] steps)
    {
        double[] errors = steps.Select(n => fixture.Error(sampler, n)).ToArray();
        double[] lx = steps.Select(n => Math.Log(n)).ToArray();
        double[] ly = errors.Select(e => Math.Log(e)).ToArray();
        double mx = lx.Average(), my = ly.Average();
        double slope = lx.Zip(ly).Sum(p => (p.First - mx) * (p.Second - my)) / lx.Sum(v => (v - mx) * (v - mx));
        output.WriteLine($"{name}: errors {string.Join(", ", steps.Zip(errors, (n, e) => $"N={n}: {e:E3}"))}; " +
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

    public static TheoryData<string, int> DeterministicSolvers => new()
    {
        { "euler-ancestral-eta0", 1 },
        { "dpm2m-sde-eta0-midpoint", 2 },
        { "dpm2m-sde-eta0-heun", 2 },
        { "dpm3m-sde-eta0", 3 },
        { "unipc-1", 2 },
        { "unipc-2", 3 },
        { "unipc-3", 4 },
        { "unipc-2-bh1", 3 },
        { "unipc-3-bh1", 4 },
        { "unip-2-no-corrector", 2 },
        { "unip-3-no-corrector", 3 },
        { "lms-1", 1 },
        { "lms-2", 2 },
        { "lms-3", 3 },
        { "lms-4", 4 },
        { "flow-euler-in-t", 1 },
        { "flow-heun-in-t", 2 },
    };

    internal static ISampler CreateDeterministic(string name) => name switch
    {
        "euler-ancestral-eta0" => new EulerAncestralSampler(new EulerAncestralOptions { Eta = 0, StateDType = DType.Float64 }),
        "dpm2m-sde-eta0-midpoint" => new DpmSolverPlusPlus2MSdeSampler(new DpmSolverPlusPlus2MSdeOptions { Eta = 0, StateDType = DType.Float64 }),
        "dpm2m-sde-eta0-heun" => new DpmSolverPlusPlus2MSdeSampler(new DpmSolverPlusPlus2MSdeOptions { Eta = 0, SecondOrderTerm = DpmSolverSecondOrderTerm.Heun, StateDType = DType.Float64 }),
        "dpm3m-sde-eta0" => new DpmSolverPlusPlus3MSdeSampler(new DpmSolverPlusPlus3MSdeOptions { Eta = 0, StateDType = DType.Float64 }),
        "unipc-1" => new UniPcSampler(new UniPcOptions { Order = 1, StateDType = DType.Float64 }),
        "unipc-2" => new UniPcSampler(new UniPcOptions { Order = 2, StateDType = DType.Float64 }),
        "unipc-3" => new UniPcSampler(new UniPcOptions { Order = 3, StateDType = DType.Float64 }),
        "unipc-2-bh1" => new UniPcSampler(new UniPcOptions { Order = 2, Variant = UniPcVariant.Bh1, StateDType = DType.Float64 }),
        "unipc-3-bh1" => new UniPcSampler(new UniPcOptions { Order = 3, Variant = UniPcVariant.Bh1, StateDType = DType.Float64 }),
        "unip-2-no-corrector" => new UniPcSampler(new UniPcOptions { Order = 2, UseCorrector = false, StateDType = DType.Float64 }),
        "unip-3-no-corrector" => new UniPcSampler(new UniPcOptions { Order = 3, UseCorrector = false, StateDType = DType.Float64 }),
        "lms-1" => new LmsSampler(new LmsOptions { Order = 1, StateDType = DType.Float64 }),
        "lms-2" => new LmsSampler(new LmsOptions { Order = 2, StateDType = DType.Float64 }),
        "lms-3" => new LmsSampler(new LmsOptions { Order = 3, StateDType = DType.Float64 }),
        "lms-4" => new LmsSampler(new LmsOptions { Order = 4, StateDType = DType.Float64 }),
        "flow-euler-in-t" => new GeneralizedSampler(GeneralizedSamplerOptions.RectifiedFlowPreset(OdeSolver.Euler) with { StateDType = DType.Float64 }),
        "flow-heun-in-t" => new GeneralizedSampler(GeneralizedSamplerOptions.RectifiedFlowPreset(OdeSolver.Heun) with { StateDType = DType.Float64 }),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown solver."),
    };

    [Theory]
    [MemberData(nameof(DeterministicSolvers))]
    public void Deterministic_solvers_converge_at_their_theoretical_order(string name, int order)
    {
        Slope(name, CreateDeterministic(name), LongSteps).Should().BeInRange(-order - 0.3, -order + 0.3);
    }
}
