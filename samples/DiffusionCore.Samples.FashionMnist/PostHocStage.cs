using DiffusionCore.Training;
using DiffusionCore.Training.Ema;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>Post-hoc EMA (Karras et al. 2024, §3): the EMA of length σ_rel at the newest snapshot time, from the stored snapshots.</summary>
internal static class PostHocStage
{
    public static string PathFor(JobOptions o) => PathFor(o.RunDirectory, o.SigmaRel);

    public static string PathFor(string runDirectory, double sigmaRel) => Path.Combine(runDirectory, $"posthoc-ema-{sigmaRel:0.000}.safetensors");

    /// <summary>The reconstructor over every snapshot of <paramref name="runDirectory"/>.</summary>
    public static PostHocEmaReconstructor Reconstructor(string runDirectory)
    {
        var run = new TrainingRun(runDirectory);
        IReadOnlyList<EmaSnapshotInfo> snapshots = run.ListSnapshots();
        if (snapshots.Count == 0)
        {
            throw new InvalidOperationException($"No EMA snapshots in {run.SnapshotDirectory}: train first (main.sh train).");
        }

        return new PostHocEmaReconstructor(snapshots);
    }

    public static string Run(JobOptions o) => Run(o.RunDirectory, o.SigmaRel);

    /// <summary>Reconstructs σ_rel from the snapshots of <paramref name="runDirectory"/> and saves it (<see cref="PathFor(string, double)"/>).</summary>
    public static string Run(string runDirectory, double sigmaRel)
    {
        PostHocEmaReconstructor reconstructor = Reconstructor(runDirectory);
        using PostHocEmaResult result = reconstructor.Reconstruct(sigmaRel);
        string path = PathFor(runDirectory, sigmaRel);
        result.Save(path);
        Console.WriteLine($"post-hoc EMA σ_rel {sigmaRel} from {reconstructor.Snapshots.Count} snapshots → {path}");
        return path;
    }
}
