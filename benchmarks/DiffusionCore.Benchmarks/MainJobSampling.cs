using DiffusionCore.Networks.Edm2;
using DiffusionCore.Sampling;
using DiffusionCore.Sampling.Guidance;
using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// The main job's sampling setup for the sampling runners: its class-conditional EDM2 denoiser (untrained weights from
/// the benchmark seed: the time does not depend on them), classifier-free guidance w = 2 in one batched call, Heun.
/// </summary>
internal sealed class MainJobSampling : IDisposable
{
    private readonly Generator _generator = new(BenchEnvironment.Seed);

    public MainJobSampling(ComputePrecision precision)
    {
        Denoiser = new Edm2Denoiser(Edm2UNetWorkload.MainJobOptions, _generator);
        Denoiser.Eval();
        Guided = new ClassifierFreeGuidance(Denoiser, 2.0, Unconditional.ZeroClassLabels());
        Sampler = new HeunSampler(new HeunOptions { Precision = precision });
    }

    /// <summary>The generator that made the weights; the runners draw their inputs from it afterwards.</summary>
    public Generator Generator => _generator;

    public Edm2Denoiser Denoiser { get; }

    public IDenoiser Guided { get; }

    public HeunSampler Sampler { get; }

    /// <summary>Parses <c>--precision auto|fp32|bf16</c>.</summary>
    public static ComputePrecision ParsePrecision(string value) =>
        ComputePrecisionExtensions.TryParse(value, out ComputePrecision p) ? p : throw new ArgumentException($"--precision must be auto, fp32 or bf16, not '{value}'.");

    public void Dispose()
    {
        Denoiser.Dispose();
        _generator.Dispose();
    }
}
