using DiffusionCore.Generation;
using DiffusionCore.Guidance;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Sampling;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Training;
using DiffusionCore.Training.Checkpoints;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>Class-conditional sampling with a chosen solver, one noise stream per image seed, optional CFG.</summary>
internal static class SampleStage
{
    public sealed record Samples(Tensor Images, int[] Classes, long FunctionEvaluations) : IDisposable
    {
        public void Dispose() => Images.Dispose();
    }

    /// <summary>Loads the post-hoc EMA weights if reconstructed, else the newest valid checkpoint's raw network weights.</summary>
    public static Edm2Denoiser LoadNetwork(JobOptions o, out string source)
    {
        Edm2Denoiser net = FashionMnistModel.Create(o, (ulong)o.Seed);
        string posthoc = PostHocStage.PathFor(o);
        if (File.Exists(posthoc))
        {
            net.LoadStateDict(posthoc);
            source = posthoc;
        }
        else
        {
            CheckpointFile? newest = new TrainingRun(o.RunDirectory).LoadLatestNetwork(net);
            if (newest is null)
            {
                net.Dispose();
                throw new InvalidOperationException($"No trained weights in {o.RunDirectory}: run `main.sh train` (and `main.sh posthoc`) first.");
            }

            source = newest.Path;
        }

        net.Eval();
        return net;
    }

    /// <summary>
    /// The sampling batch size: <c>--sample-batch N</c>, or planned once for all <paramref name="count"/> images of the
    /// job by probing the guided network (SamplingBatchPlanner: the fastest per image that fits in half the available
    /// memory, probing at most 5 % of the sampling work).
    /// </summary>
    public static SamplingBatchPlan PlanBatch(JobOptions o, IDenoiser denoiser, int count)
    {
        using var scope = new TensorScope();
        int[] classes = Enumerable.Range(0, count).Select(i => i % FashionMnistModel.Classes).ToArray();
        double[] sigmas = SigmaSchedules.Karras(o.Steps);
        ISampler sampler = CreateSampler(o);
        return SamplingBatchPlanner.Plan(Guided(o, denoiser), ImageShape, count, sigmas[0], sampler.Options,
            new SamplingBatchOptions { BatchSize = o.SampleBatch }, Conditioning.FromClassLabels(Labels(classes)),
            denoiserCallsPerImage: sampler.FunctionEvaluations(sigmas));
    }

    /// <summary>
    /// Generates <paramref name="classes"/>.Length images through the library's one-call entry point
    /// (<see cref="GenerationPipeline"/>: classes in the network's declared label format, CFG with its declared
    /// unconditional input); image k uses seed <c>o.Seed·10⁶ + firstSeed + k</c>.
    /// </summary>
    public static Samples Generate(JobOptions o, IDenoiser denoiser, int[] classes, int batch, long firstSeed = 0)
    {
        var pipeline = new GenerationPipeline(denoiser, [1, FashionMnistModel.Resolution, FashionMnistModel.Resolution]);
        var request = new GenerationOptions
        {
            Seeds = [.. Enumerable.Range(0, classes.Length).Select(k => ((ulong)o.Seed * 1_000_000UL) + (ulong)(firstSeed + k))],
            Classes = classes,
            Sampler = CreateSampler(o),
            Sigmas = SigmaSchedules.Karras(o.Steps),
            GuidanceScale = o.Guidance,
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

    private static long[] ImageShape => [1, FashionMnistModel.Resolution, FashionMnistModel.Resolution];

    private static Tensor Labels(int[] classes) =>
        Tensor.FromArray(classes.Select(c => (long)c).ToArray()).OneHot(FashionMnistModel.Classes).To(DType.Float32);

    private static ISampler CreateSampler(JobOptions o) => o.Sampler switch
    {
        SamplerKind.Euler => new EulerSampler(new EulerOptions { Precision = o.Precision }),
        SamplerKind.Dpm2m => new DpmSolverPlusPlus2MSampler(new DpmSolverPlusPlus2MOptions { Precision = o.Precision }),
        SamplerKind.Heun => new HeunSampler(new HeunOptions { Precision = o.Precision }),
        _ => throw new ArgumentOutOfRangeException(nameof(o), o.Sampler, "Unknown sampler."),
    };

    private static IDenoiser Guided(JobOptions o, IDenoiser denoiser) =>
        o.Guidance == 1.0 ? denoiser : new ClassifierFreeGuidance(denoiser, o.Guidance);
}
