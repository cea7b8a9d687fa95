using DiffusionCore.Guidance;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Sampling;
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

        /// <summary>These options with another <see cref="Precision"/> (the second side of <c>--versus</c>).</summary>
        public Options WithPrecision(ComputePrecision precision) => new() { Steps = Steps, Precision = precision };

        /// <summary>Reads the option at <paramref name="i"/> if it is one of these (advancing past its value).</summary>
        public bool TryRead(IReadOnlyList<string> args, ref int i)
        {
            switch (args[i])
            {
                case "--steps": Steps = RunnerArgs.Int(args, ref i); return true;
                case "--precision": Precision = ParsePrecision(args, ref i); return true;
                default: return false;
            }
        }
    }

    public Edm2Denoiser Denoiser { get; }

    public IDenoiser Guided { get; }

    public HeunSampler Sampler { get; }

    /// <summary>The noise levels of the requested number of steps.</summary>
    public double[] Sigmas { get; }

    /// <summary>
    /// Samples one batch: random class labels and initial noise at σ_max, drawn from the generator that made the weights
    /// (so two setups with the same options draw the same inputs), then the guided Heun loop; everything it creates is
    /// freed before it returns.
    /// </summary>
    /// <returns>The number of function evaluations of the run.</returns>
    public int SampleOnce(int batch)
    {
        using var scope = new TensorScope();
        Tensor x = Tensor.Randn([batch, 1, 32, 32], _generator).Mul(Sigmas[0]);
        Conditioning labels = Conditioning.FromClassLabels(Tensor.RandInt(0, 10, [batch], _generator).OneHot(10).To(DType.Float32));
        return Sampler.Sample(Guided, x, Sigmas, labels).FunctionEvaluations;
    }

    /// <summary>Reads the precision value of the option at <paramref name="i"/> (advancing past it).</summary>
    internal static ComputePrecision ParsePrecision(IReadOnlyList<string> args, ref int i)
    {
        string option = args[i];
        string value = RunnerArgs.Value(args, ref i);
        return ComputePrecisionExtensions.TryParse(value, out ComputePrecision p) ? p : throw new ArgumentException($"{option} must be auto, fp32 or bf16, not '{value}'.");
    }

    public void Dispose()
    {
        Denoiser.Dispose();
        _generator.Dispose();
    }
}
