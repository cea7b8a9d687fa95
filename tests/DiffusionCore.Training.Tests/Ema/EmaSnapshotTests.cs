using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Training.Ema;

namespace DiffusionCore.Training.Tests.Ema;

public sealed class EmaSnapshotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dc-ema-snap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Schedule_fires_when_a_step_crosses_a_multiple_of_the_interval()
    {
        var schedule = new EmaSnapshotSchedule(100);
        schedule.IsDue(96, 32).Should().BeFalse();
        schedule.IsDue(128, 32).Should().BeTrue("64 → 128 crosses 100");
        schedule.IsDue(160, 32).Should().BeFalse();
        schedule.IsDue(200, 40).Should().BeTrue("reaching the multiple exactly counts");
        schedule.IsDue(240, 40).Should().BeFalse();
        FluentActions.Invoking(() => new EmaSnapshotSchedule(0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void File_names_follow_images_seen_and_sigma_rel()
    {
        EmaSnapshotInfo.FileName(409600, 0.05).Should().Be("phema-000409600-0.050.safetensors");
        EmaSnapshotInfo.FileName(12, 0.1).Should().Be("phema-000000012-0.100.safetensors");
    }

    [Fact]
    public void Writer_stores_every_tracker_in_float16_with_metadata_when_due()
    {
        using var scope = new TensorScope();
        var gen = new Generator(5);
        using var net = new SmallNet(gen);
        IReadOnlyList<PowerEmaTracker> trackers = PowerEmaTracker.CreateSet(net);
        try
        {
            var writer = new EmaSnapshotWriter(new EmaSnapshotOptions { Directory = _dir, IntervalImages = 64 }, trackers);
            var written = new List<string>();
            for (long step = 1; step <= 6; step++)
            {
                net.Perturb(gen, 0.1);
                foreach (PowerEmaTracker t in trackers)
                {
                    t.Update(net, step * 24, 24);
                }

                written.AddRange(writer.WriteIfDue(step * 24, 24));
            }

            // 24, 48, [72], 96, 120, [144]: due at 72 and 144.
            written.Select(Path.GetFileName).Should().Equal(
                "phema-000000072-0.050.safetensors", "phema-000000072-0.100.safetensors",
                "phema-000000144-0.050.safetensors", "phema-000000144-0.100.safetensors");

            File.WriteAllText(Path.Combine(_dir, "notes.txt"), "not a snapshot");
            net.SaveStateDict(Path.Combine(_dir, "other.safetensors"));
            IReadOnlyList<EmaSnapshotInfo> listed = EmaSnapshotInfo.List(_dir);
            listed.Should().HaveCount(4, "safetensors files without snapshot metadata are skipped");
            EmaSnapshotInfo last = listed[^1];
            last.ImagesSeen.Should().Be(144);
            last.SigmaRel.Should().Be(0.10);
            last.Gamma.Should().Be(trackers[1].Gamma);
            last.BatchImages.Should().Be(24);
            last.TrackerName.Should().Be("phema-0.100");
            last.BufferKeys.Should().Equal("freqs");

            using SafeTensorsContents contents = SafeTensors.Load(last.Path);
            contents.Tensors.Keys.Should().Equal(net.StateDict().Keys, "a snapshot is the network's state dict");
            contents["conv.weight"].DType.Should().Be(DType.Float16);
            contents["freqs"].DType.Should().Be(DType.Float32, "buffers keep their dtype");
            using var expected = new SmallNet(new Generator(1));
            trackers[1].CopyTo(expected);
            float[] stored = contents["conv.weight"].To(DType.Float32).ToArray<float>();
            float[] average = expected.GetParameter("conv.weight")!.ToArray<float>();
            stored.Zip(average, (s, a) => Math.Abs(s - a)).Max().Should().BeLessThan(1e-3f);
            Directory.GetFiles(_dir, "*.tmp").Should().BeEmpty("writes are atomic");
        }
        finally
        {
            foreach (PowerEmaTracker t in trackers)
            {
                t.Dispose();
            }
        }
    }
}
