using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Training.Ema;

namespace DiffusionCore.Training.Tests.Ema;

public sealed class PostHocEmaReconstructionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dc-ema-posthoc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Trains nothing: random walks of a SmallNet, tracked by σ_rel 0.05/0.10 and snapshotted every 3 steps.</summary>
    private void WriteSnapshots(int steps, long batch)
    {
        using var scope = new TensorScope();
        var gen = new Generator(11);
        using var net = new SmallNet(gen);
        IReadOnlyList<PowerEmaTracker> trackers = PowerEmaTracker.CreateSet(net);
        var writer = new EmaSnapshotWriter(new EmaSnapshotOptions { Directory = _dir, IntervalImages = 3 * batch }, trackers);
        for (int step = 1; step <= steps; step++)
        {
            net.Perturb(gen, 0.05);
            foreach (PowerEmaTracker t in trackers)
            {
                t.Update(net, step * batch, batch);
            }

            writer.WriteIfDue(step * batch, batch);
        }

        foreach (PowerEmaTracker t in trackers)
        {
            t.Dispose();
        }
    }

    [Fact]
    public void Streaming_reconstruction_equals_the_in_memory_weighted_sum()
    {
        WriteSnapshots(steps: 24, batch: 8);
        PostHocEmaReconstructor posthoc = PostHocEmaReconstructor.FromDirectory(_dir);
        posthoc.Snapshots.Should().HaveCount(16);
        PostHocEmaTarget[] targets = [new(0.075), new(0.13), new(0.06, 96)];
        double[,] x = posthoc.SolveWeights(targets);
        IReadOnlyList<PostHocEmaResult> results = posthoc.Reconstruct(targets);
        try
        {
            using var scope = new TensorScope();
            for (int k = 0; k < targets.Length; k++)
            {
                PostHocEmaResult r = results[k];
                r.ImagesSeen.Should().Be(targets[k].ImagesSeen ?? 192);
                r.Weights.Sum().Should().BeApproximately(1, 1e-12);
                for (int i = 0; i < posthoc.Snapshots.Count; i++)
                {
                    r.Weights[i].Should().Be(x[i, k]);
                    if (posthoc.Snapshots[i].ImagesSeen > r.ImagesSeen)
                    {
                        r.Weights[i].Should().Be(0, "snapshots after the target time do not take part");
                    }
                }

                // In memory: load every snapshot whole and sum in float64.
                var expected = new Dictionary<string, Tensor>();
                for (int i = 0; i < posthoc.Snapshots.Count; i++)
                {
                    if (r.Weights[i] == 0)
                    {
                        continue;
                    }

                    using SafeTensorsContents c = SafeTensors.Load(posthoc.Snapshots[i].Path);
                    foreach ((string key, Tensor t) in c.Tensors)
                    {
                        if (key == "freqs")
                        {
                            continue;
                        }

                        Tensor term = t.To(DType.Float64).Mul(r.Weights[i]);
                        expected[key] = expected.TryGetValue(key, out Tensor? acc) ? acc.Add(term) : term;
                    }
                }

                r.State.Keys.Should().BeEquivalentTo(["conv.weight", "conv.bias", "head.weight", "head.bias", "freqs"]);
                foreach ((string key, Tensor e) in expected)
                {
                    r.State[key].DType.Should().Be(DType.Float32);
                    double diff = r.State[key].To(DType.Float64).Sub(e).Abs().Max().ToDouble();
                    double scale = e.Abs().Max().ToDouble();
                    diff.Should().BeLessThan(1e-5 * Math.Max(scale, 1), $"{key} of target {k}");
                }

                // Buffers come from the latest snapshot up to the target time.
                EmaSnapshotInfo latest = posthoc.Snapshots.Last(s => s.ImagesSeen <= r.ImagesSeen);
                using SafeTensorsContents last = SafeTensors.Load(latest.Path);
                r.State["freqs"].ToArray<float>().Should().Equal(last["freqs"].ToArray<float>());
            }

            // A result loads into the network and saves as a loadable state dict.
            using var net = new SmallNet(new Generator(2));
            results[0].LoadInto(net).IsExactMatch.Should().BeTrue();
            string path = Path.Combine(_dir, "out", "ema.safetensors");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            results[0].Save(path);
            using var reloaded = new SmallNet(new Generator(3));
            reloaded.LoadStateDict(path);
            reloaded.GetParameter("head.weight")!.ToArray<float>().Should().Equal(net.GetParameter("head.weight")!.ToArray<float>());
        }
        finally
        {
            foreach (PostHocEmaResult r in results)
            {
                r.Dispose();
            }
        }
    }

    [Fact]
    public void Reconstructing_a_stored_profile_gives_back_that_snapshot_and_sweeps_write_files()
    {
        WriteSnapshots(steps: 12, batch: 4);
        PostHocEmaReconstructor posthoc = PostHocEmaReconstructor.FromDirectory(_dir);
        using (var scope = new TensorScope())
        {
            using PostHocEmaResult r = posthoc.Reconstruct(0.10, imagesSeen: 36);
            EmaSnapshotInfo stored = posthoc.Snapshots.Single(s => s.ImagesSeen == 36 && s.SigmaRel == 0.10);
            using SafeTensorsContents c = SafeTensors.Load(stored.Path);
            double diff = r.State["conv.weight"].Sub(c["conv.weight"].To(DType.Float32)).Abs().Max().ToDouble();
            diff.Should().BeLessThan(1e-4);
        }

        IReadOnlyList<string> files = posthoc.SweepToDirectory([0.06, 0.09], Path.Combine(_dir, "sweep"), parameterDType: DType.Float16);
        files.Select(Path.GetFileName).Should().Equal("phema-posthoc-000000048-0.060.safetensors", "phema-posthoc-000000048-0.090.safetensors");
        using SafeTensorsFile f = SafeTensorsFile.Open(files[1]);
        f.Metadata["sigma_rel"].Should().Be("0.09");
        f.GetEntry("conv.weight").DType.Should().Be(DType.Float16);
        EmaSnapshotInfo.List(Path.Combine(_dir, "sweep")).Should().BeEmpty("reconstructions are not snapshots");
    }

    [Fact]
    public void Bad_targets_and_mismatched_snapshots_are_refused()
    {
        WriteSnapshots(steps: 6, batch: 4);
        PostHocEmaReconstructor posthoc = PostHocEmaReconstructor.FromDirectory(_dir);
        FluentActions.Invoking(() => posthoc.Reconstruct(0.3)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*0.2887*");
        FluentActions.Invoking(() => posthoc.Reconstruct(0.07, imagesSeen: 13)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*not the time of any stored snapshot*");

        // A snapshot of another network in the same set.
        using (var scope = new TensorScope())
        {
            using var other = new ScalarModule(1);
            using var tracker = new PowerEmaTracker(other, new PowerEmaOptions { SigmaRel = 0.2 });
            tracker.Update(other, 24, 4);
            new EmaSnapshotWriter(new EmaSnapshotOptions { Directory = _dir, IntervalImages = 4 }, [tracker]).Write(24, 4);
        }

        FluentActions.Invoking(() => PostHocEmaReconstructor.FromDirectory(_dir).Reconstruct(0.07)).Should().Throw<InvalidDataException>().WithMessage("*does not hold the same tensors*");
        FluentActions.Invoking(() => PostHocEmaReconstructor.FromDirectory(Path.Combine(_dir, "..", Path.GetRandomFileName()))).Should().Throw<DirectoryNotFoundException>();
    }
}
