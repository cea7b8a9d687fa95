using System.Diagnostics;
using DiffusionCore.Generation;
using DiffusionCore.Guidance;
using DiffusionCore.Labels;
using DiffusionCore.Sampling;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Training;
using DiffusionCore.Training.Checkpoints;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>Class-conditional sampling with a chosen solver on the Karras σ grid, one noise stream per image seed, with CFG or autoguidance.</summary>
internal static class SampleStage
{
    /// <summary>The autoguidance guide's post-hoc EMA length: a short average, as the guide is trained briefly.</summary>
    public const double GuideSigmaRel = 0.05;

    public sealed record Samples(Tensor Images, int[] Classes, long FunctionEvaluations) : IDisposable
    {
        public void Dispose() => Images.Dispose();
    }

    /// <summary>Loads the post-hoc EMA weights for <paramref name="sigmaRel"/> if reconstructed, else the newest valid checkpoint's raw network weights.</summary>
    public static FashionMnistModel LoadNetwork(JobOptions o, out string source) => LoadNetwork(o.Objective, FashionMnistModel.Options(o), o.Seed, o.RunDirectory, o.SigmaRel, out source);

    /// <summary>The autoguidance guide network of <paramref name="o"/>, from its run directory.</summary>
    public static FashionMnistModel LoadGuide(JobOptions o, out string source) =>
        LoadNetwork(o.Objective, FashionMnistModel.Options(o.GuideChannels, o.Blocks), o.Seed + 1, o.GuideRunDirectory, GuideSigmaRel, out source);

    private static FashionMnistModel LoadNetwork(ObjectiveKind objective, DiffusionCore.Networks.Edm2.Edm2UNetOptions options, long seed, string run, double sigmaRel, out string source)
    {
        FashionMnistModel model = FashionMnistModel.Create(objective, options, (ulong)seed);
        string posthoc = PostHocStage.PathFor(run, sigmaRel);
        if (File.Exists(posthoc))
        {
            model.Network.LoadStateDict(posthoc);
            source = posthoc;
        }
        else
        {
            CheckpointFile? newest = new TrainingRun(run).LoadLatestNetwork(model.Network);
            if (newest is null)
            {
                model.Dispose();
                throw new InvalidOperationException($"No trained weights in {run}: run `main.sh train` (and `main.sh posthoc`) first.");
            }

            source = newest.Path;
        }

        model.Network.Eval();
        return model;
    }

    /// <summary>
    /// The guided denoiser: CFG with the zero label as the unconditional branch, or autoguidance by
    /// <paramref name="guide"/>, applied in <see cref="JobOptions.GuidanceInterval"/> (Kynkäänniemi et al. 2024);
    /// scale 1 is no guidance.
    /// </summary>
    public static IDenoiser Guided(JobOptions o, IDenoiser main, IDenoiser? guide, double scale) => scale == 1.0 ? main : o.Guide switch
    {
        GuideKind.Auto => new Autoguidance(main, guide ?? throw new InvalidOperationException("Autoguidance needs the guide network."), scale,
            new AutoguidanceOptions { Interval = o.GuidanceInterval }),
        _ => new ClassifierFreeGuidance(main, scale, Unconditional.ZeroClassLabels(), new ClassifierFreeGuidanceOptions { Interval = o.GuidanceInterval }),
    };

    /// <summary>
    /// The share of the σ grid's nonzero levels (<see cref="Sigmas"/>) inside <see cref="JobOptions.GuidanceInterval"/>:
    /// about the share of denoiser calls that pay for guidance (1 without an interval).
    /// </summary>
    public static double GuidedShare(JobOptions o)
    {
        double[] levels = Sigmas(o).Where(s => s > 0).ToArray();
        return levels.Count(o.GuidanceInterval.Contains) / (double)levels.Length;
    }

    public static double[] Sigmas(JobOptions o) => SigmaSchedules.Karras(o.Steps);

    public static int FunctionEvaluations(JobOptions o) => SamplerCatalog.Create(o.Sampler, o.Precision).FunctionEvaluations(Sigmas(o));

    /// <summary>
    /// The sampling batch size: <c>--sample-batch N</c>, or planned once for all <paramref name="count"/> images of the
    /// job by probing the guided network (SamplingBatchPlanner: the fastest per image that fits in half the available
    /// memory, probing at most 5 % of the sampling work) at the highest σ of the grid that is guided
    /// (<see cref="JobOptions.GuidanceInterval"/>), so the probe pays for guidance.
    /// </summary>
    public static SamplingBatchPlan PlanBatch(JobOptions o, IDenoiser guided, int count)
    {
        using var scope = new TensorScope();
        double[] sigmas = Sigmas(o);
        double probeSigma = sigmas.Where(s => s > 0 && o.GuidanceInterval.Contains(s)).DefaultIfEmpty(sigmas[0]).First();
        ISampler sampler = SamplerCatalog.Create(o.Sampler, o.Precision);
        return SamplingBatchPlanner.Plan(guided, ImageShape, count, probeSigma, sampler.Options,
            new SamplingBatchOptions { BatchSize = o.SampleBatch }, Conditioning.FromClassLabels(Labels(Cycle(count))),
            denoiserCallsPerImage: sampler.FunctionEvaluations(sigmas));
    }

    /// <summary>
    /// Seconds per image of one call of <paramref name="guided"/> at <paramref name="batch"/> (the fastest of two timed
    /// calls after a warm-up call), for <see cref="JobPlan"/>: the network's speed does not depend on its weights.
    /// </summary>
    public static double SecondsPerImageCall(IDenoiser guided, int batch, ComputePrecision precision)
    {
        using var scope = new TensorScope();
        using var inference = new InferenceModeScope();
        using MatmulPrecisionScope matmul = precision.Enter(Device.Cpu);
        using var g = new Generator(0);
        Tensor x = Tensor.Randn([batch, .. ImageShape], g).MulInPlace(10);
        Tensor sigma = Tensor.Full([batch], 10.0, DType.Float32);
        Conditioning c = Conditioning.FromClassLabels(Labels(Cycle(batch)));
        guided.Denoise(x, sigma, c);
        double best = double.PositiveInfinity;
        for (int i = 0; i < 2; i++)
        {
            long start = Stopwatch.GetTimestamp();
            guided.Denoise(x, sigma, c);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return best / batch;
    }

    /// <summary>
    /// Generates <paramref name="classes"/>.Length images through the library's one-call entry point
    /// (<see cref="GenerationPipeline"/>, one-hot class rows as the job's UNet declares them; the guidance is already in
    /// <paramref name="guided"/>, CFG or autoguidance); image k uses seed <c>o.Seed·10⁶ + firstSeed + k</c>.
    /// </summary>
    public static Samples Generate(JobOptions o, IDenoiser guided, int[] classes, int batch, long firstSeed = 0)
    {
        var pipeline = new GenerationPipeline(guided, [1, FashionMnistModel.Resolution, FashionMnistModel.Resolution], ClassLabelSpec.OneHot(FashionMnistModel.Classes));
        var request = new GenerationOptions
        {
            Seeds = [.. Enumerable.Range(0, classes.Length).Select(k => ((ulong)o.Seed * 1_000_000UL) + (ulong)(firstSeed + k))],
            Classes = classes,
            Sampler = SamplerCatalog.Create(o.Sampler, o.Precision),
            Sigmas = Sigmas(o),
            Batching = new SamplingBatchOptions { BatchSize = batch },
        };
        return ProgressDisplay.Run("sample", classes.Length, report =>
        {
            using var scope = new TensorScope();
            var progress = new SynchronousProgress<BatchedSamplingProgress>(p => report(p.ImagesDone, $"{p.ImagesDone}/{p.Images} images, batch {p.BatchSize}"));
            GeneratedImages r = pipeline.Generate(request, progress);
            return new Samples(r.Images.Clamp(-1, 1).DetachFromScope(), classes, r.FunctionEvaluations);
        });
    }

    /// <summary>Classes 0, 1, …, 9, 0, 1, … for <paramref name="count"/> images.</summary>
    public static int[] Cycle(int count) => Enumerable.Range(0, count).Select(i => i % FashionMnistModel.Classes).ToArray();

    private static long[] ImageShape => [1, FashionMnistModel.Resolution, FashionMnistModel.Resolution];

    private static Tensor Labels(int[] classes) =>
        Tensor.FromArray(classes.Select(c => (long)c).ToArray()).OneHot(FashionMnistModel.Classes).To(DType.Float32);
}
