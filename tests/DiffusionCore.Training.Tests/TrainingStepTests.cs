using DiffusionCore.Control;
using DiffusionCore.Labels;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Data;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Tests.Support;

namespace DiffusionCore.Training.Tests;

/// <summary>The per-step context: every random draw of a step comes from (seed, images seen), stream by stream.</summary>
public sealed class TrainingStepTests : IDisposable
{
    private const int Classes = 4;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Streams_are_pure_functions_of_seed_and_images_seen_and_independent_of_each_other()
    {
        using var scope = new TensorScope();
        using var a = new TrainingStep(seed: 7, imagesSeen: 128, batch: [1, 2, 3]);
        using var b = new TrainingStep(seed: 7, imagesSeen: 128, batch: [9]);
        using var later = new TrainingStep(seed: 7, imagesSeen: 131, batch: [1, 2, 3]);
        using var otherSeed = new TrainingStep(seed: 8, imagesSeen: 128, batch: [1, 2, 3]);

        static float[] Draw(Generator g) => Tensor.Rand([16], g).ToArray<float>();
        float[] noise = Draw(a.Noise);
        _ = Draw(b.Sigma);                                  // drawing σ first does not shift the noise stream
        Draw(b.Noise).Should().Equal(noise, "the batch's indices do not enter the seeds; (seed, images seen) does");
        Draw(later.Noise).Should().NotEqual(noise);
        Draw(otherSeed.Noise).Should().NotEqual(noise);

        float[][] streams = [Draw(a.Sigma), Draw(a.Dropout), Draw(a.ConditionDropout), Draw(a.Mask), Draw(a.Augmentation), Draw(a.ControlDropout)];
        streams.Should().OnlyContain(s => !s.SequenceEqual(noise));
        streams.Select(s => s[0]).Distinct().Should().HaveCount(streams.Length, "each purpose has its own stream");
        a.Augmentation.Device.Should().Be(Device.Cpu);
        a.BatchSize.Should().Be(3);

        a.Dispose();
        FluentActions.Invoking(() => a.Noise).Should().Throw<ObjectDisposedException>();
        FluentActions.Invoking(() => new TrainingStep(1, -1, [0])).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new TrainingStep(1, 0, [])).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Label_dropout_draws_from_the_condition_stream_of_each_step_whatever_the_round_split(int rounds)
    {
        using var scope = new TensorScope();
        var data = new LabelledDataset(count: 24, Classes);
        TrainingOptions options = Options(_dir.Sub($"rounds{rounds}"), total: 24, rounds);
        options.LabelDropout = 0.5;
        options.LabelFormat = ClassLabelFormat.OneHot;
        using var net = new Scalar();
        var loss = new RecordingLoss(net);
        using (var trainer = new DiffusionTrainer(net, loss, data, options))
        {
            trainer.Run().Completed.Should().BeTrue();
        }

        // The oracle: the same data order, the same step context, the one LabelDropout.
        var order = new SeededPermutationSampler(data.Count, options.Seed);
        var expected = new List<float[]>();
        for (long n = 0; n < 24; n += options.BatchSize)
        {
            var indices = new int[options.BatchSize];
            order.Fill(n, indices);
            using var step = new TrainingStep(options.Seed, n, indices);
            Tensor oneHot = Tensor.FromArray(indices.Select(i => LabelledDataset.LabelOf(i, Classes)).ToArray()).OneHot(Classes).To(DType.Float32);
            expected.Add(LabelDropout.Apply(oneHot, 0.5, step.ConditionDropout).ToArray<float>());
        }

        float[] seen = [.. loss.Labels.SelectMany(l => l)];
        seen.Should().Equal(expected.SelectMany(e => e));
        int dropped = seen.Chunk(Classes).Count(row => row.All(v => v == 0));
        dropped.Should().BeInRange(1, 23, "p = 0.5 drops some of the 24 labels, not all");
        loss.DropoutGenerators.Should().OnlyContain(g => g != null, "the network's dropout stream travels with the conditioning");
    }

    [Fact]
    public void Index_labels_drop_to_the_null_label()
    {
        using var scope = new TensorScope();
        var data = new LabelledDataset(count: 16, Classes);
        TrainingOptions options = Options(_dir.Sub("indices"), total: 16);
        options.LabelDropout = 1;
        using var net = new Scalar();
        var loss = new RecordingLoss(net);
        using (var trainer = new DiffusionTrainer(net, loss, data, options))
        {
            trainer.Run();
        }

        loss.Labels.SelectMany(l => l).Should().OnlyContain(v => v == Classes, "p = 1 replaces every index by the null label, the class count");
    }

    [Fact]
    public void Label_dropout_needs_a_labelled_dataset_and_a_probability()
    {
        using var net = new Scalar();
        using var unlabelled = new InMemoryDataset(8, 1, 4, 1);
        TrainingOptions options = Options(_dir.Sub("bad"), total: 8);
        options.LabelDropout = 0.1;
        FluentActions.Invoking(() => new DiffusionTrainer(net, new RecordingLoss(net), unlabelled, options))
            .Should().Throw<ArgumentException>().WithMessage("*LabelDropout is 0.1 but the dataset has no labels*");
        options.LabelDropout = 1.5;
        FluentActions.Invoking(() => new DiffusionTrainer(net, new RecordingLoss(net), new LabelledDataset(8, Classes), options))
            .Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*LabelDropout is 1.5*[0, 1]*");
    }

    [Fact]
    public void The_gradient_reducer_is_the_one_seam_between_backward_and_the_optimizer()
    {
        using var scope = new TensorScope();
        using var net = new Scalar();
        float before = net.W.ToSingle();
        var reducer = new ZeroingReducer();
        using (var trainer = new DiffusionTrainer(net, new RecordingLoss(net), new LabelledDataset(16, Classes), Options(_dir.Sub("reduce"), total: 16))
        {
            GradientReducer = reducer,
        })
        {
            trainer.Run();
        }

        reducer.Calls.Should().Equal([(1, 4L), (1, 4L), (1, 4L), (1, 4L)], "once per step, with the trained parameters and the step's images");
        net.W.ToSingle().Should().Be(before, "the optimizer applied the reduced (zeroed) gradients");
    }

    [Fact]
    public void Augmentation_draws_from_its_stream_and_labels_the_conditioning()
    {
        using var scope = new TensorScope();
        var data = new LabelledDataset(count: 8, Classes);
        using var net = new Scalar();
        var loss = new RecordingLoss(net);
        var augmentation = new NonLeakyAugmentation(new AugmentationOptions { Probability = 1, XFlip = 1 });
        TrainingOptions options = Options(_dir.Sub("augment"), total: 4);
        using (var trainer = new DiffusionTrainer(net, loss, data, options) { Augmentation = augmentation })
        {
            trainer.Run();
        }

        var indices = new int[4];
        new SeededPermutationSampler(data.Count, options.Seed).Fill(0, indices);
        using var step = new TrainingStep(options.Seed, 0, indices);
        AugmentedBatch expected = augmentation.Apply(data.ReadBatch(indices).Images, step.Augmentation);
        loss.AugmentLabels.Should().ContainSingle().Which.Should().Equal(expected.Labels.ToArray<float>());
    }

    [Fact]
    public void Control_augmentation_fills_the_control_metadata_and_control_dropout_draws_from_its_own_stream()
    {
        using var scope = new TensorScope();
        var data = new LabelledDataset(count: 64, Classes);
        var augmentation = new ControlAugmentation(new ControlAugmentationOptions { CropProbability = 1 });
        (List<float[]> Labels, List<float[]> Controls) Train(string name, double controlDropout)
        {
            using var net = new Scalar();
            var loss = new RecordingLoss(net);
            TrainingOptions options = Options(_dir.Sub(name), total: 64);
            options.BatchSize = 64;
            options.LabelDropout = 0.5;
            options.LabelFormat = ClassLabelFormat.OneHot;
            options.ControlDropout = controlDropout;
            using (var trainer = new DiffusionTrainer(net, loss, data, options) { ControlAugmentation = augmentation })
            {
                trainer.Run();
            }

            return (loss.Labels, loss.Controls);
        }

        (List<float[]> labels, List<float[]> controls) = Train("control-dropout", 0.5);
        (List<float[]> labelsWithout, List<float[]> controlsWithout) = Train("no-control-dropout", 0);
        labels.Should().ContainSingle().Which.Should().Equal(labelsWithout.Single(), "dropping controls never shifts the label dropout");

        var indices = new int[64];
        new SeededPermutationSampler(data.Count, 99).Fill(0, indices);
        using var step = new TrainingStep(99, 0, indices);
        AugmentedBatch augmented = augmentation.Apply(data.ReadBatch(indices).Images, step.Augmentation);
        controlsWithout.Single().Should().Equal(augmented.Labels.ToArray<float>());
        controls.Single().Should().Equal(ControlDropout.Apply(augmented.Labels, 0.5, step.ControlDropout).ToArray<float>());
        int dropped = Enumerable.Range(0, 64).Count(i => controls.Single().Skip(4 * i).Take(4).All(v => v == 0));
        dropped.Should().BeInRange(16, 48, "about half of 64 rows are dropped");
    }

    private static TrainingOptions Options(string dir, long total, int rounds = 1) => new()
    {
        RunDirectory = dir,
        Seed = 99,
        TotalImages = total,
        BatchSize = 4,
        AccumulationRounds = rounds,
        LearningRate = 0.1,
        LearningRateSchedule = LearningRateScheduleKind.Constant,
        Precision = ComputePrecision.Float32,
    };

    /// <summary>One trainable scalar "w".</summary>
    private sealed class Scalar : Module
    {
        public Scalar() => RegisterParameter("w", Tensor.Full([1], 0.5));

        public Tensor W => GetParameter("w")!;
    }

    /// <summary>A loss of w² per sample that records the conditioning it is given.</summary>
    private sealed class RecordingLoss(Scalar net) : ITrainingLoss
    {
        public List<float[]> Labels { get; } = [];

        public List<float[]> AugmentLabels { get; } = [];

        public List<float[]> Controls { get; } = [];

        public List<Generator?> DropoutGenerators { get; } = [];

        public NoiseDraw Draw(ReadOnlySpan<long> imageShape, TrainingStep step) =>
            new(Tensor.Ones([imageShape[0]]), Tensor.Randn(imageShape, step.Noise));

        public Tensor Compute(Tensor images, NoiseDraw draw, Conditioning conditioning, Tensor? mask = null)
        {
            if (conditioning.ClassLabels is { } labels) Labels.Add(labels.To(DType.Float32).Contiguous().ToArray<float>());
            if (conditioning.AugmentLabels is { } augment) AugmentLabels.Add(augment.Contiguous().ToArray<float>());
            if (conditioning.ControlMetadata is { } controls) Controls.Add(controls.Contiguous().ToArray<float>());
            DropoutGenerators.Add(conditioning.DropoutGenerator);
            return net.W.Square().Expand(images.Size(0));
        }
    }

    private sealed class ZeroingReducer : IGradientReducer
    {
        public List<(int Parameters, long Images)> Calls { get; } = [];

        public void Reduce(IReadOnlyList<Tensor> parameters, long localImages)
        {
            Calls.Add((parameters.Count, localImages));
            foreach (Tensor p in parameters) p.Grad!.MulInPlace(0.0);
        }
    }
}
