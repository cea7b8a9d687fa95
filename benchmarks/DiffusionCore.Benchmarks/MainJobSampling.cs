using DiffusionCore.Networks.Edm2;
using DiffusionCore.Sampling;
using DiffusionCore.Sampling.Guidance;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// The main job's sampling setup for the sampling runners: its class-conditional EDM2 denoiser (untrained weights from
/// the benchmark seed: the time does not depend on them), classifier-free guidance w = 2 in one batched call, Heun on
/// the EDM (Karras) schedule.
/// </summary>
internal sealed class MainJobSampling : IDisposable
{
    private readonly Generator _generator = new(BenchEnvironment.Seed);

    public MainJobSampling(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Denoiser = new Edm2Denoiser(Edm2UNetWorkload.MainJobOptions, _generator);
        Denoiser.Eval();
        Guided = new ClassifierFreeGuidance(Denoiser, 2.0, Unconditional.ZeroClassLabels());
        Sampler = new HeunSampler(new HeunOptions { Precision = options.Precision });
        Sigmas = SigmaSchedules.Karras(options.Steps);
    }

    /// <summary>The options both sampling runners take: <c>--steps N</c> (18) and <c>--precision auto|fp32|bf16</c>.</summary>
    public sealed class Options
    {
        public int Steps { get; private set; } = 18;

        public ComputePrecision Precision { get; private set; } = ComputePrecision.Auto;

        /// <summary>Reads the option at <paramref name="i"/> if it is one of these (advancing past its value).</summary>
        public bool TryRead(IReadOnlyList<string> args, ref int i)
        {
            switch (args[i])
            {
                case "--steps": Steps = RunnerArgs.Int(args, ref i); return true;
                case "--precision": Precision = ParsePrecision(RunnerArgs.Value(args, ref i)); return true;
                default: return false;
            }
        }
    }

    /// <summary>The generator that made the weights; the runners draw their inputs from it afterwards.</summary>
    public Generator Generator => _generator;

    public Edm2Denoiser Denoiser { get; }

    public IDenoiser Guided { get; }

    public HeunSampler Sampler { get; }

    /// <summary>The noise levels of the requested number of steps.</summary>
    public double[] Sigmas { get; }

    private static ComputePrecision ParsePrecision(string value) =>
        ComputePrecisionExtensions.TryParse(value, out ComputePrecision p) ? p : throw new ArgumentException($"--precision must be auto, fp32 or bf16, not '{value}'.");

    public void Dispose()
    {
        Denoiser.Dispose();
        _generator.Dispose();
    }
}
