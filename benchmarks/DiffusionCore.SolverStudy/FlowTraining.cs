using DiffusionCore.Samples.FashionMnist;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiffusionCore.SolverStudy;

/// <summary>
/// The main job trained as a rectified-flow model: the job's own training and post-hoc stages
/// (<c>./eng/main.sh train --objective flow</c>, then <c>posthoc</c>) with the job's defaults otherwise (28k images,
/// batch 64, lr 0.01 inverse-sqrt, power EMAs with snapshots, label dropout 0.1, post-hoc EMA σ_rel 0.10), so the
/// study's flow model is exactly what the job trains.
/// </summary>
internal static class FlowTraining
{
    public static void Run(StudyOptions o)
    {
        JobOptions job = JobOptions.Defaults with { Objective = ObjectiveKind.Flow, RunDirectory = o.FlowRun, Images = o.Images };
        var run = new FashionMnistJob(NullLoggerFactory.Instance);
        run.Run(JobCommand.Train, job);
        run.Run(JobCommand.PostHoc, job);
    }
}
