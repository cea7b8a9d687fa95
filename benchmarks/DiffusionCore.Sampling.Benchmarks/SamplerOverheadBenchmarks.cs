using BenchmarkDotNet.Attributes;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Sampling.Benchmarks;

/// <summary>
/// Time per sampler step with a trivial denoiser (results are per step: OperationsPerInvoke = Steps). Compare with
/// <see cref="DenoiserOnly"/>, the same number of denoiser calls without a sampler: the difference is what the solver
/// costs per step, to be set against the tens of milliseconds a real network takes per call.
/// </summary>
[MemoryDiagnoser]
public class SamplerOverheadBenchmarks : IDisposable
{
    private const int Steps = 32;
    private readonly TrivialDenoiser _denoiser = new();
    private readonly double[] _sigmas = SigmaSchedules.Karras(Steps);
    private Tensor _x = null!;
    private Generator _generator = null!;
    private GeneratorNoiseSource _noise = null!;
    private ISampler _euler = null!;
    private ISampler _heun = null!;
    private ISampler _heunChurn = null!;
    private ISampler _dpm = null!;
    private ISampler _ddim = null!;

    /// <summary>Batch shape: a 2-D toy batch, or 8 RGB 64×64 images.</summary>
    [Params("1x2", "8x3x64x64")]
    public string Shape { get; set; } = "1x2";

    [GlobalSetup]
    public void Setup()
    {
        long[] shape = Shape.Split('x').Select(long.Parse).ToArray();
        _generator = new Generator(0);
        _noise = new GeneratorNoiseSource(_generator);
        _x = (Tensor.Randn(shape, _generator) * _sigmas[0]).DetachFromScope();
        _euler = new EulerSampler();
        _heun = new HeunSampler();
        _heunChurn = new HeunSampler(new HeunOptions { Stochasticity = new StochasticityOptions { SChurn = 40, SMin = 0.05, SMax = 50, SNoise = 1.003 } });
        _dpm = new DpmSolverPlusPlus2MSampler();
        _ddim = new DdimSampler();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _x?.Dispose();
        _generator?.Dispose();
        GC.SuppressFinalize(this);
    }

    private void Run(ISampler sampler)
    {
        using var scope = new TensorScope();
        sampler.Sample(_denoiser, _x, _sigmas, noise: _noise);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Steps, Description = "Denoiser only (N calls)")]
    public void DenoiserOnly()
    {
        using var inference = new InferenceModeScope();
        using var scope = new TensorScope();
        for (int i = 0; i < Steps; i++)
        {
            using var step = new TensorScope();
            _denoiser.Denoise(_x, Tensor.Full([_x.Size(0)], _sigmas[i]), Conditioning.None);
        }
    }

    [Benchmark(OperationsPerInvoke = Steps)]
    public void Euler() => Run(_euler);

    [Benchmark(OperationsPerInvoke = Steps, Description = "Heun (2 calls/step)")]
    public void Heun() => Run(_heun);

    [Benchmark(OperationsPerInvoke = Steps, Description = "Heun + churn")]
    public void HeunChurn() => Run(_heunChurn);

    [Benchmark(OperationsPerInvoke = Steps, Description = "DPM-Solver++(2M)")]
    public void DpmSolver2M() => Run(_dpm);

    [Benchmark(OperationsPerInvoke = Steps)]
    public void Ddim() => Run(_ddim);
}
