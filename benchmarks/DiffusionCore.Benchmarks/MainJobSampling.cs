using System.CommandLine;
using DiffusionCore.Guidance;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Sampling;
using DiffusionCore.Samples.Cli;
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

    /// <summary>The settings both sampling runners take: <c>--steps N</c> and <c>--precision auto|fp32|bf16</c>.</summary>
    public sealed record Options
    {
        /// <summary>The defaults.</summary>
        public static readonly Options Defaults = new();

        /// <summary>Heun steps on the EDM schedule (18: the main job's 35 NFE).</summary>
        public int Steps { get; init; } = 18;

        public ComputePrecision Precision { get; init; } = ComputePrecision.Auto;

        /// <summary>Adds <c>--steps</c> and <c>--precision</c> to <paramref name="command"/>; returns their reader.</summary>
        public static Func<ParseResult, Options> AddTo(Command command)
        {
            Option<int> steps = TypedOption.Positive("--steps", "Heun steps (EDM schedule)", Defaults.Steps);
            Option<ComputePrecision> precision = ChoiceOption.Precision("--precision", "products (conv, linear, attention) in", Defaults.Precision);
            command.Options.Add(steps);
            command.Options.Add(precision);
            return p => new Options { Steps = p.GetValue(steps), Precision = p.GetValue(precision) };
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

    public void Dispose()
    {
        Denoiser.Dispose();
        _generator.Dispose();
    }
}
