using DiffusionCore.Labels;
using DiffusionCore.Models;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Networks.Models;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using DiffusionCore.Training.Checkpoints;
using DiffusionCore.Training.Ema;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Tests.Support;

namespace DiffusionCore.Training.Tests;

/// <summary>Label dropout as one trainer option for every network, and runs exported as self-describing model files.</summary>
public sealed class ModelExportTests : IDisposable
{
    private const int Classes = 3;
    private readonly TempDirectory _dir = new();
    private readonly LabelledDataset _data = new(24, Classes, size: 8);

    public void Dispose() => _dir.Dispose();

    private static Edm2Denoiser Edm2(ulong seed)
    {
        using var g = new Generator(seed);
        return new Edm2Denoiser(TinyNetworks.Options() with { LabelDim = Classes }, g);
    }

    private static TrainingOptions Options(string dir, long total, long snapshots = 8) => new()
    {
        RunDirectory = dir,
        Seed = 5,
        TotalImages = total,
        BatchSize = 4,
        LearningRate = 0.01,
        LabelDropout = 0.3,                      // no LabelFormat: the EDM2 UNet declares one-hot rows
        SnapshotIntervalImages = snapshots,
        Precision = ComputePrecision.Float32,
    };

    private static float[] Denoise(IDenoiser denoiser)
    {
        using var scope = new TensorScope();
        using var g = new Generator(3);
        Tensor x = Tensor.Randn([3, 1, 8, 8], g);
        return denoiser.Denoise(x, Tensor.FromArray(new[] { 0.2f, 1f, 5f }), Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 0, 1, 2 }))).ToArray<float>();
    }

    private Dictionary<string, float[]> Train(string dir, long firstStop, long total)
    {
        if (firstStop > 0)
        {
            using Edm2Denoiser n0 = Edm2(7);
            IReadOnlyList<PowerEmaTracker> e0 = PowerEmaTracker.CreateSet(n0);
            using (var t0 = new DiffusionTrainer(n0, new Edm2Loss(n0), _data, Options(dir, firstStop), e0))
            {
                t0.Run();
            }

            foreach (PowerEmaTracker e in e0) e.Dispose();
        }

        using Edm2Denoiser net = Edm2(firstStop > 0 ? 555UL : 7UL);
        IReadOnlyList<PowerEmaTracker> emas = PowerEmaTracker.CreateSet(net);
        using (var trainer = new DiffusionTrainer(net, new Edm2Loss(net), _data, Options(dir, total), emas))
        {
            trainer.Run().ResumedFromImages.Should().Be(firstStop > 0 ? firstStop : null);
        }

        foreach (PowerEmaTracker e in emas) e.Dispose();
        using var scope = new TensorScope();
        return net.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.To(DType.Float32).Contiguous().ToArray<float>());
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Edm2_label_dropout_resumes_bit_exact_and_the_run_exports_a_post_hoc_ema_that_loads_without_code()
    {
        string full = _dir.Sub("full");
        Dictionary<string, float[]> uninterrupted = Train(full, 0, 24);
        Dictionary<string, float[]> resumed = Train(_dir.Sub("resumed"), 12, 24);
        resumed.Should().BeEquivalentTo(uninterrupted, o => o.WithStrictOrdering(), "label dropout draws from the step's condition stream");

        var run = new TrainingRun(full);
        ModelDescription described = run.ReadModelDescription()!;
        described.Family.Should().Be(Edm2UNetOptions.Family);
        described.ClassLabels.Should().Be(new ClassLabelSpec(Classes, ClassLabelFormat.OneHot));

        string export = Path.Combine(full, "model-ema-0.100.safetensors");
        run.ExportPostHocEma(0.1, export).Should().Be(export);
        using DiffusionModel loaded = DiffusionModel.Load(export);
        loaded.Description.EmaSigmaRel.Should().Be(0.1);

        using Edm2Denoiser byHand = Edm2(1);
        using (PostHocEmaResult r = new PostHocEmaReconstructor(run.ListSnapshots()).Reconstruct(0.1))
        {
            r.LoadInto(byHand);
        }

        byHand.Eval();
        Denoise(loaded.Denoiser).Should().Equal(Denoise(byHand));

        string checkpoint = run.Checkpoints.List()[^1].Path;
        Action wrongEma = () => DiffusionModel.Load(checkpoint, new DiffusionModelLoadOptions { Ema = "ema" });
        wrongEma.Should().Throw<ModelFileException>().WithMessage("*no EMA named 'ema'*phema-0.050, phema-0.100*");
        using DiffusionModel tracked = DiffusionModel.Load(checkpoint, new DiffusionModelLoadOptions { Ema = "phema-0.100" });
        tracked.Module.Should().BeOfType<Edm2Denoiser>();
    }

    [Fact]
    public void A_label_format_or_class_count_that_contradicts_the_network_is_refused_when_the_trainer_is_built()
    {
        using Edm2Denoiser net = Edm2(1);
        TrainingOptions options = Options(_dir.Sub("bad"), 8, snapshots: 0);
        options.LabelFormat = ClassLabelFormat.Indices;
        FluentActions.Invoking(() => new DiffusionTrainer(net, new Edm2Loss(net), _data, options))
            .Should().Throw<ArgumentException>().WithMessage("*LabelFormat is Indices but Edm2Denoiser takes OneHot*");

        options.LabelFormat = null;
        FluentActions.Invoking(() => new DiffusionTrainer(net, new Edm2Loss(net), new LabelledDataset(8, 5, 8), options))
            .Should().Throw<ArgumentException>().WithMessage("*dataset has 5 classes but the network takes 3*");
    }

    [Fact]
    public void A_dit_takes_indices_and_needs_its_null_row_for_label_dropout()
    {
        using var g = new Generator(1);
        var dit = new DiTOptions { InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 16, Depth = 1, NumHeads = 2, NumClasses = Classes, LearnSigma = false };
        using var withNull = new DiffusionTransformer(dit with { ClassDropoutProbability = 0, UnconditionalRow = true }, g);
        var loss = new RecordingLoss(new DdpmEpsilonLoss(withNull, DiscreteSchedule.Linear()));
        TrainingOptions options = Options(_dir.Sub("dit"), 16, snapshots: 0);
        options.LabelDropout = 0.5;
        using (var trainer = new DiffusionTrainer(withNull, loss, _data, options))
        {
            trainer.Run();
        }

        long[] seen = [.. loss.Labels.SelectMany(l => l)];
        seen.Should().HaveCount(16).And.OnlyContain(v => v >= 0 && v <= Classes, "int64 indices, dropped ones to the null label 3");
        seen.Should().Contain(Classes).And.Contain(v => v < Classes);

        using var withoutNull = new DiffusionTransformer(dit with { ClassDropoutProbability = 0 }, g);
        withoutNull.ClassLabelSpec.Should().Be(new ClassLabelSpec(Classes, ClassLabelFormat.Indices, HasUnconditional: false));
        FluentActions.Invoking(() => new DiffusionTrainer(withoutNull, new DdpmEpsilonLoss(withoutNull, DiscreteSchedule.Linear()), _data, Options(_dir.Sub("dit0"), 8, snapshots: 0)))
            .Should().Throw<ArgumentException>().WithMessage("*no null label*");
    }

    /// <summary>Delegates to a loss and records the class labels it is given.</summary>
    private sealed class RecordingLoss(ITrainingLoss inner) : ITrainingLoss
    {
        public List<long[]> Labels { get; } = [];

        public NoiseDraw Draw(ReadOnlySpan<long> imageShape, TrainingStep step) => inner.Draw(imageShape, step);

        public Tensor Compute(Tensor images, NoiseDraw draw, Conditioning conditioning, Tensor? mask = null)
        {
            Labels.Add(conditioning.Get(ConditioningKeys.ClassLabels).ToArray<long>());
            return inner.Compute(images, draw, conditioning, mask);
        }
    }
}
