using DiffusionCore.Networks.Edm2;
using DiffusionCore.Samples.FashionMnist;

namespace DiffusionCore.SolverStudy;

/// <summary>
/// The main job's network and files at the job's defaults, taken from the job's own code (linked from
/// samples/DiffusionCore.Samples.FashionMnist), so the study cannot drift from what <c>./eng/main.sh</c> trains.
/// </summary>
internal static class JobNetwork
{
    public const int Resolution = FashionMnistModel.Resolution;
    public const int Classes = FashionMnistModel.Classes;

    public static ulong Seed => (ulong)JobOptions.Defaults.Seed;

    public static double SigmaRel => JobOptions.Defaults.SigmaRel;

    public static Edm2UNetOptions Options => FashionMnistModel.Options(JobOptions.Defaults);

    /// <summary>The post-hoc EMA file the job (and <c>train-flow</c>) reconstructs in a run directory.</summary>
    public static string PostHocPath(string run) => PostHocStage.PathFor(JobOptions.Defaults with { RunDirectory = run });
}
