using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Optim;
using DiffusionCore.Training.Checkpoints;
using DiffusionCore.Training.Ema;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Tests.Support;
using Microsoft.Extensions.Logging;

namespace DiffusionCore.Training.Tests;

public sealed partial class TrainerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly InMemoryDataset _data = new(24, 1, 8, 99);

    public void Dispose()
    {
        _data.Dispose();
        _dir.Dispose();
    }

    private static TrainingOptions Options(string dir, long total, int batch = 4, int rounds = 1) => new()
    {
        RunDirectory = dir,
        Seed = 1234,
        TotalImages = total,
        BatchSize = batch,
        AccumulationRounds = rounds,
        LearningRate = 0.01,
        LearningRateSchedule = LearningRateScheduleKind.InverseSqrt,
        ReferenceBatches = 2,
        RampUpImages = 8,
        GradientClipNorm = 10,
        KeepCheckpoints = 2,
    };

    private sealed record Run(Edm2Denoiser Network, DiffusionTrainer Trainer, TraditionalEmaForTests Ema, ListLogger<DiffusionTrainer> Log) : IDisposable
    {
        public void Dispose()
        {
            Trainer.Dispose();
            Ema.Dispose();
            Network.Dispose();
        }
    }

    private Run Start(TrainingOptions options, ulong initSeed = 7, double dropout = 0)
    {
        Edm2Denoiser net = TinyNetworks.Edm2(initSeed, dropout: dropout);
        var ema = new TraditionalEmaForTests("ema-0.9", 0.9);
        var log = new ListLogger<DiffusionTrainer>();
        var trainer = new DiffusionTrainer(net, new Edm2Loss(net), _data, options, [ema], log);
        return new Run(net, trainer, ema, log);
    }

    private static Dictionary<string, float[]> Snapshot(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        using var scope = new TensorScope();
        return tensors.ToDictionary(kv => kv.Key, kv => kv.Value.To(DType.Float32).Contiguous().ToArray<float>());
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Resumed_run_equals_uninterrupted_run_bit_for_bit()
    {
        using var scope = new TensorScope();
        string a = _dir.Sub("a"), b = _dir.Sub("b");
        using Run full = Start(Options(a, 32, 4), dropout: 0.2);
        full.Trainer.Run().Completed.Should().BeTrue();

        using (Run first = Start(Options(b, 16, 4), dropout: 0.2))
        {
            first.Trainer.Run().ImagesSeen.Should().Be(16);
        }

        File.Exists(Path.Combine(b, CheckpointStore.FileName(16))).Should().BeTrue();
        using Run second = Start(Options(b, 32, 4), initSeed: 999, dropout: 0.2);  // different init: everything must come from the checkpoint
        TrainingResult result = second.Trainer.Run();
        result.ResumedFromImages.Should().Be(16);
        result.ImagesSeen.Should().Be(32);

        Snapshot(second.Network.StateDict()).Should().BeEquivalentTo(Snapshot(full.Network.StateDict()), o => o.WithStrictOrdering());
        using OptimizerState os1 = full.Trainer.Optimizer.StateDict();
        using OptimizerState os2 = second.Trainer.Optimizer.StateDict();
        Snapshot(os2.Tensors).Should().BeEquivalentTo(Snapshot(os1.Tensors), o => o.WithStrictOrdering());
        os2.Metadata.Should().BeEquivalentTo(os1.Metadata);
        Snapshot(second.Ema.Average).Should().BeEquivalentTo(Snapshot(full.Ema.Average));
        second.Log.Entries.Should().Contain(e => e.Message.StartsWith("Resumed from", StringComparison.Ordinal));
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Resume_is_bit_exact_with_the_power_function_ema_trackers()
    {
        using var scope = new TensorScope();
        Dictionary<string, float[]>[] Train(string dir, long firstStop, long total)
        {
            if (firstStop > 0)
            {
                using Edm2Denoiser n0 = TinyNetworks.Edm2(7);
                IReadOnlyList<PowerEmaTracker> e0 = PowerEmaTracker.CreateSet(n0);
                using (var t0 = new DiffusionTrainer(n0, new Edm2Loss(n0), _data, Options(dir, firstStop), e0))
                {
                    t0.Run();
                }

                foreach (PowerEmaTracker e in e0) e.Dispose();
            }

            using Edm2Denoiser net = TinyNetworks.Edm2(firstStop > 0 ? 555UL : 7UL);
            IReadOnlyList<PowerEmaTracker> emas = PowerEmaTracker.CreateSet(net);
            using var trainer = new DiffusionTrainer(net, new Edm2Loss(net), _data, Options(dir, total), emas);
            trainer.Run().ResumedFromImages.Should().Be(firstStop > 0 ? firstStop : null);
            var states = new List<Dictionary<string, float[]>> { Snapshot(net.StateDict()) };
            foreach (PowerEmaTracker e in emas)
            {
                using Edm2Denoiser target = TinyNetworks.Edm2(1);
                e.CopyTo(target);
                states.Add(Snapshot(target.StateDict()));
                e.Dispose();
            }

            return [.. states];
        }

        Dictionary<string, float[]>[] full = Train(_dir.Sub("full"), 0, 24);
        Dictionary<string, float[]>[] resumed = Train(_dir.Sub("resumed"), 12, 24);
        resumed.Should().HaveCount(3);
        for (int i = 0; i < full.Length; i++)
        {
            resumed[i].Should().BeEquivalentTo(full[i], o => o.WithStrictOrdering(), $"state {i} (0 = network, 1–2 = EMA σ_rel 0.05, 0.10)");
        }
    }

    [Fact]
    public void Snapshots_of_the_power_emas_feed_post_hoc_reconstruction()
    {
        using var scope = new TensorScope();
        string dir = _dir.Sub("snapshots");
        using Edm2Denoiser net = TinyNetworks.Edm2(7);
        IReadOnlyList<PowerEmaTracker> emas = PowerEmaTracker.CreateSet(net);
        TrainingOptions options = Options(dir, 24);
        options.SnapshotIntervalImages = 8;
        using (var trainer = new DiffusionTrainer(net, new Edm2Loss(net), _data, options, emas))
        {
            trainer.Run();
            trainer.SnapshotDirectory.Should().Be(Path.Combine(dir, "snapshots"));
        }

        IReadOnlyList<EmaSnapshotInfo> infos = EmaSnapshotInfo.List(Path.Combine(dir, "snapshots"));
        infos.Select(i => (i.ImagesSeen, i.SigmaRel)).Should().BeEquivalentTo(
            new[] { (8L, 0.05), (8L, 0.10), (16L, 0.05), (16L, 0.10), (24L, 0.05), (24L, 0.10) });
        PostHocEmaReconstructor reconstructor = PostHocEmaReconstructor.FromDirectory(Path.Combine(dir, "snapshots"));
        using PostHocEmaResult result = reconstructor.Reconstruct(0.10);
        using Edm2Denoiser target = TinyNetworks.Edm2(1);
        result.LoadInto(target);
        foreach (PowerEmaTracker e in emas) e.Dispose();
    }

    [Fact]
    public void Snapshots_without_a_power_ema_are_rejected_with_the_fix()
    {
        using Edm2Denoiser net = TinyNetworks.Edm2(7);
        TrainingOptions options = Options(_dir.Sub("nosnap"), 8);
        options.SnapshotIntervalImages = 4;
        Action act = () => new DiffusionTrainer(net, new Edm2Loss(net), _data, options).Dispose();
        act.Should().Throw<ArgumentException>().WithMessage("*no PowerEmaTracker is tracked*PowerEmaTracker.CreateSet*");
    }

    [Fact]
    public void Accumulation_rounds_do_not_change_the_result_or_the_schedule()
    {
        using var scope = new TensorScope();
        var lr1 = new List<double>();
        var lr2 = new List<double>();
        // Float32 products: the tolerance below is float32's. Under bfloat16 products each round's weight gradient is
        // rounded to bfloat16 before the rounds are summed, so one and two rounds differ by bfloat16 rounding.
        TrainingOptions o1 = Options(_dir.Sub("one"), 16, batch: 8, rounds: 1), o2 = Options(_dir.Sub("two"), 16, batch: 8, rounds: 2);
        o1.Precision = o2.Precision = ComputePrecision.Float32;
        using Run one = Start(o1);
        using Run two = Start(o2);
        one.Trainer.Run(new SyncProgress(p => lr1.Add(p.LearningRate)));
        two.Trainer.Run(new SyncProgress(p => lr2.Add(p.LearningRate)));
        lr2.Should().Equal(lr1);
        Dictionary<string, float[]> s1 = Snapshot(one.Network.StateDict()), s2 = Snapshot(two.Network.StateDict());
        foreach ((string key, float[] v1) in s1)
        {
            float[] v2 = s2[key];
            for (int i = 0; i < v1.Length; i++)
            {
                Math.Abs(v1[i] - v2[i]).Should().BeLessThanOrEqualTo(1e-4f + (1e-4f * Math.Abs(v1[i])), $"{key}[{i}]");
            }
        }
    }

    [Fact]
    public void Cancellation_writes_a_checkpoint_and_returns()
    {
        using var scope = new TensorScope();
        using var cts = new CancellationTokenSource();
        using Run run = Start(Options(_dir.Path, 400));
        TrainingResult result = run.Trainer.Run(new SyncProgress(p => { if (p.ImagesSeen >= 8) cts.Cancel(); }), cts.Token);
        result.Completed.Should().BeFalse();
        result.ImagesSeen.Should().Be(8);
        result.LastCheckpoint.Should().Be(Path.Combine(_dir.Path, CheckpointStore.FileName(8)));
        File.Exists(result.LastCheckpoint).Should().BeTrue();
        run.Log.Entries.Should().Contain(e => e.Message.Contains("cancelled", StringComparison.Ordinal));
    }

    [Fact]
    public void Kill_during_write_leaves_the_previous_checkpoint_loadable_and_corrupt_newest_is_skipped()
    {
        using var scope = new TensorScope();
        TrainingOptions o = Options(_dir.Path, 16);
        o.CheckpointIntervalImages = 8;
        using (Run run = Start(o))
        {
            run.Trainer.Run();
        }

        var store = new CheckpointStore(_dir.Path, 2);
        store.List().Select(f => f.ImagesSeen).Should().Equal(8, 16);
        string newest = Path.Combine(_dir.Path, CheckpointStore.FileName(16));
        byte[] bytes = File.ReadAllBytes(newest);

        // A process killed while writing checkpoint 24 leaves only its hidden temporary file, partly written.
        File.WriteAllBytes(Path.Combine(_dir.Path, $".{CheckpointStore.FileName(24)}.0123456789abcdef.tmp"), bytes[..(bytes.Length / 2)]);
        store.List().Select(f => f.ImagesSeen).Should().Equal(8, 16);

        // A newest file truncated by some other accident (a copy, a full disk) is reported and skipped.
        File.WriteAllBytes(newest, bytes[..(bytes.Length / 3)]);
        o.TotalImages = 8;
        using Run resumed = Start(o);
        resumed.Trainer.TryResume().Should().BeTrue();
        resumed.Trainer.ImagesSeen.Should().Be(8);
        resumed.Log.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.Message.Contains(CheckpointStore.FileName(16), StringComparison.Ordinal));
    }

    [Fact]
    public void Only_the_last_K_checkpoints_are_kept()
    {
        using var scope = new TensorScope();
        TrainingOptions o = Options(_dir.Path, 24);
        o.CheckpointIntervalImages = 4;
        using Run run = Start(o);
        run.Trainer.Run();
        new CheckpointStore(_dir.Path).List().Select(f => f.ImagesSeen).Should().Equal(20, 24);
        Directory.GetFiles(_dir.Path, "*.tmp", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Fact]
    public void Bfloat16_products_change_the_losses_only_by_bfloat16_rounding()
    {
        List<double> Losses(ComputePrecision precision, string dir)
        {
            using var scope = new TensorScope();
            TrainingOptions o = Options(dir, 8);
            o.Precision = precision;
            var losses = new List<double>();
            using Run run = Start(o);
            run.Trainer.Run(new SyncProgress(p => losses.Add(p.Loss))).Completed.Should().BeTrue();
            return losses;
        }

        List<double> fp32 = Losses(ComputePrecision.Float32, Path.Combine(_dir.Path, "fp32"));
        List<double> bf16 = Losses(ComputePrecision.BFloat16, Path.Combine(_dir.Path, "bf16"));
        bf16.Should().HaveCount(2).And.OnlyContain(l => double.IsFinite(l));
        bf16[0].Should().NotBe(fp32[0], "the products really ran in bfloat16");
        bf16[0].Should().BeApproximately(fp32[0], 0.02 * Math.Abs(fp32[0]), "bfloat16 keeps 8 mantissa bits; everything else is float32");
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; tests need the report synchronously.</summary>
    private sealed class SyncProgress(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
