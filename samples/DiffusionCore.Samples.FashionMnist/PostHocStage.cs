using DiffusionCore.Training;
using DiffusionCore.Training.Ema;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>Post-hoc EMA (Karras et al. 2024, §3): the EMA of length σ_rel at the newest snapshot time, from the stored snapshots.</summary>
internal static class PostHocStage
{
    public static string PathFor(JobOptions o) => Path.Combine(o.RunDirectory, $"posthoc-ema-{o.SigmaRel:0.000}.safetensors");

    public static string Run(JobOptions o)
    {
        var run = new TrainingRun(o.RunDirectory);
        IReadOnlyList<EmaSnapshotInfo> snapshots = run.ListSnapshots();
        if (snapshots.Count == 0)
        {
            throw new InvalidOperationException($"No EMA snapshots in {run.SnapshotDirectory}: train first (main.sh train).");
        }

        var reconstructor = new PostHocEmaReconstructor(snapshots);
        using PostHocEmaResult result = reconstructor.Reconstruct(o.SigmaRel);
        string path = PathFor(o);
        result.Save(path);
        Console.WriteLine($"post-hoc EMA σ_rel {o.SigmaRel} from {reconstructor.Snapshots.Count} snapshots → {path}");
        return path;
    }
}
