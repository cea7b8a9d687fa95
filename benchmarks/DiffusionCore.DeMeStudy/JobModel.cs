using DiffusionCore.Networks.Edm2;
using DiffusionCore.Samples.FashionMnist;
using DiffusionCore.Torch;

namespace DiffusionCore.DeMeStudy;

/// <summary>The main job's network (from the job's own code), with or without DeMe's channel projections.</summary>
internal static class JobModel
{
    public const int Resolution = FashionMnistModel.Resolution;
    public const int Classes = FashionMnistModel.Classes;

    public static Edm2Denoiser Create(bool projections)
    {
        using var g = new Generator((ulong)JobOptions.Defaults.Seed);
        return new Edm2Denoiser(FashionMnistModel.Options(JobOptions.Defaults) with { ChannelProjections = projections }, g);
    }

    /// <summary>The job's post-hoc EMA in <paramref name="run"/>, reconstructed from its snapshots when it is not there yet.</summary>
    public static string PostHoc(string run)
    {
        JobOptions job = JobOptions.Defaults with { RunDirectory = run };
        string path = PostHocStage.PathFor(job);
        return File.Exists(path) ? path : PostHocStage.Run(job);
    }
}
