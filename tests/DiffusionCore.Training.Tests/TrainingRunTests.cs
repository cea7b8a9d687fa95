using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;
using DiffusionCore.Training.Checkpoints;
using DiffusionCore.Training.Ema;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Tests.Support;

namespace DiffusionCore.Training.Tests;

/// <summary>What apps need from a run directory, without knowing its file names.</summary>
public sealed class TrainingRunTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void An_empty_run_has_no_snapshots_and_no_checkpoint()
    {
        var run = new TrainingRun(_dir.Sub("empty"));
        run.ListSnapshots().Should().BeEmpty();
        using Edm2Denoiser net = TinyNetworks.Edm2(1);
        run.LoadLatestNetwork(net).Should().BeNull();
        run.SnapshotDirectory.Should().StartWith(run.Directory);
    }

    [Fact]
    public void Apps_list_and_write_snapshots_and_load_the_newest_valid_checkpoint()
    {
        using var scope = new TensorScope();
        using var data = new InMemoryDataset(24, 1, 8, 99);
        string dir = _dir.Sub("run");
        using Edm2Denoiser net = TinyNetworks.Edm2(7);
        IReadOnlyList<PowerEmaTracker> emas = PowerEmaTracker.CreateSet(net);
        var options = new TrainingOptions
        {
            RunDirectory = dir, Seed = 5, TotalImages = 20, BatchSize = 4, LearningRate = 0.01,
            LearningRateSchedule = LearningRateScheduleKind.Constant, SnapshotIntervalImages = 8, CheckpointIntervalImages = 8,
        };
        try
        {
            using var trainer = new DiffusionTrainer(net, new Edm2Loss(net), data, options, emas);
            trainer.Run().ImagesSeen.Should().Be(20);
            var run = new TrainingRun(dir);
            run.SnapshotDirectory.Should().Be(trainer.SnapshotDirectory);
            run.ListSnapshots().Select(s => s.ImagesSeen).Distinct().Should().Equal(8, 16);

            trainer.WriteSnapshots().Should().HaveCount(2, "one file per power EMA at the current images seen");
            run.ListSnapshots().Select(s => (s.ImagesSeen, s.SigmaRel)).Should().Equal((8L, 0.05), (8L, 0.10), (16L, 0.05), (16L, 0.10), (20L, 0.05), (20L, 0.10));

            // The newest checkpoint is truncated: the app gets the newest valid one, and its network weights.
            string newest = Path.Combine(dir, CheckpointStore.FileName(20));
            byte[] bytes = File.ReadAllBytes(newest);
            using Edm2Denoiser latest = TinyNetworks.Edm2(3);
            CheckpointFile? complete = run.LoadLatestNetwork(latest);
            complete!.ImagesSeen.Should().Be(20);
            Weights(latest).Should().Equal(Weights(net), "the newest checkpoint holds the trained network");

            File.WriteAllBytes(newest, bytes[..(bytes.Length / 2)]);
            using Edm2Denoiser loaded = TinyNetworks.Edm2(3);
            run.LoadLatestNetwork(loaded)!.ImagesSeen.Should().Be(16, "a truncated newest checkpoint is skipped");
            Weights(loaded).Should().NotEqual(Weights(net));
        }
        finally
        {
            foreach (PowerEmaTracker e in emas) e.Dispose();
        }
    }

    private static float[] Weights(Edm2Denoiser net)
    {
        using var scope = new TensorScope();
        return [.. net.StateDict().Values.SelectMany(t => t.To(DType.Float32).Contiguous().ToArray<float>())];
    }
}
