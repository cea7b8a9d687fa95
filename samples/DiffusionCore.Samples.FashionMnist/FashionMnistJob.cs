using System.Diagnostics;
using DiffusionCore.Evaluation;
using DiffusionCore.Guidance;
using DiffusionCore.Sampling;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Samples.FashionMnist.Distributed;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Training;
using Microsoft.Extensions.Logging;
using TorchLib = DiffusionCore.Torch.Torch;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>
/// Runs the stages of a <see cref="JobCommand"/>: train (the autoguidance guide first), the post-hoc sweep, sample and
/// evaluate, writing the outputs; with <c>--minutes</c> the whole run is planned to end in time (<see cref="JobPlan"/>).
/// </summary>
internal sealed class FashionMnistJob(ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger<FashionMnistJob>();

    public int Run(JobCommand command, JobOptions o)
    {
        if (LocalLauncher.ShouldLaunch(o.Processes)) return LocalLauncher.Run(o.Processes, _log);
        using RankRole rank = RankRole.FromEnvironment(o.Processes, _log);
        if (!rank.WritesOutputs && command is not (JobCommand.Run or JobCommand.Train)) return 0;
        var total = Stopwatch.StartNew();
        TorchLib.NumThreads = o.Threads;
        JobLog.Started(_log, TorchLib.Version, TorchLib.NumThreads, o.RunDirectory);
        if (command is JobCommand.Run or JobCommand.Sample)
        {
            string interval = GuidanceIntervalOption.Format(o.GuidanceInterval);
            JobLog.GuidanceSettings(_log, interval, o.MinAgreement);
        }

        switch (command)
        {
            case JobCommand.Evaluate:
                Console.WriteLine(EvaluateStage.Folder(o.Folder ?? Path.Combine(o.Output, "samples")).ToJson());
                return 0;
            case JobCommand.PostHoc:
                PostHocStage.Run(o);
                if (o.Guide == GuideKind.Auto) PostHocStage.Run(o.GuideRunDirectory, SampleStage.GuideSigmaRel);
                return 0;
            case JobCommand.Sample:
            {
                using FashionMnistModel main = SampleStage.LoadNetwork(o, out string weights);
                using FashionMnistModel? guide = o.Guide == GuideKind.Auto ? SampleStage.LoadGuide(o, out _) : null;
                using FashionMnistEvaluator evaluator = FashionMnistEvaluator.Create();
                SampleAndEvaluate(o, main, guide, weights, null, null, evaluator, total, new { });
                return 0;
            }
        }

        return Train(command, o, total, rank);
    }

    private int Train(JobCommand command, JobOptions o, Stopwatch total, RankRole rank)
    {
        using FashionMnistModel main = FashionMnistModel.Create(o);
        using FashionMnistModel? guide = o.Guide == GuideKind.Auto
            ? FashionMnistModel.Create(o.Objective, FashionMnistModel.Options(o.GuideChannels, o.Blocks), (ulong)o.Seed + 1)
            : null;
        JobPlan? plan = null;
        int? batch = null;
        double? trainSeconds = o.Minutes * 60 - total.Elapsed.TotalSeconds;
        if (o.Minutes is double minutes && command == JobCommand.Run)
        {
            // The network's speed does not depend on its weights: time sampling now, and give training what is left.
            // The batch is planned for a guided call at every σ; with a guidance interval, the calls outside it cost
            // what the main network alone costs, in proportion to the σ levels outside it.
            IDenoiser probe = SampleStage.Guided(o with { GuidanceInterval = GuidanceInterval.Always }, main.Denoiser, guide?.Denoiser,
                o.GuidanceGrid.Values.FirstOrDefault(w => w != 1, 1));
            SamplingBatchPlan batchPlan = SampleStage.PlanBatch(o, probe, FinalImages(o));
            batch = batchPlan.BatchSize;
            JobLog.BatchPlanned(_log, batchPlan.BatchSize, batchPlan.Reason);
            double perCall = SampleStage.SecondsPerImageCall(probe, batchPlan.BatchSize, o.Precision);
            double guidedShare = SampleStage.GuidedShare(o);
            if (guidedShare < 1)
            {
                perCall = (guidedShare * perCall) + ((1 - guidedShare) * SampleStage.SecondsPerImageCall(main.Denoiser, batchPlan.BatchSize, o.Precision));
            }

            plan = JobPlan.Create(new JobPlan.Inputs(minutes * 60, total.Elapsed.TotalSeconds, perCall, SampleStage.FunctionEvaluations(o), FinalImages(o),
                o.SigmaRelGrid.Count, o.GuidanceGrid.Count, o.SweepSamples, guide is null ? 0 : o.GuideShare));
            string planText = plan.ToString();
            JobLog.Planned(_log, minutes, perCall * 1000, batchPlan.BatchSize, planText);
        }

        TrainStage.Outcome? guideTrained = null;
        if (guide is not null)
        {
            double? seconds = plan?.GuideTrainingSeconds ?? o.GuideShare * trainSeconds;
            guideTrained = rank.Train(() => TrainStage.Run(o, TrainStage.ForGuide(o, guide, seconds), new TrainingHistory(o.GuideRunDirectory), loggers.CreateLogger<DiffusionTrainer>(), rank), o.GuideRunDirectory);
            string guideOutcome = Outcome(guideTrained);
            JobLog.Trained(_log, "guide", guideTrained.ImagesSeen, guideOutcome, guideTrained.ImagesPerSecond, guideTrained.FinalLoss);
        }

        var history = new TrainingHistory(o.RunDirectory);
        double? mainSeconds = plan?.TrainingSeconds ?? (guide is null ? trainSeconds : (1 - o.GuideShare) * trainSeconds);
        TrainStage.Outcome trained = rank.Train(() => TrainStage.Run(o, TrainStage.ForMain(o, main, mainSeconds), history, loggers.CreateLogger<DiffusionTrainer>(), rank), o.RunDirectory);
        if (!rank.WritesOutputs) return 0;
        TorchLib.NumThreads = rank.ThreadsAfterTraining(o.Threads);
        string outcome = Outcome(trained);
        JobLog.Trained(_log, "main network", trained.ImagesSeen, outcome, trained.ImagesPerSecond, trained.FinalLoss);
        OutputWriter.WriteCurves(history, o.Output, o.Objective);
        if (command == JobCommand.Train) return 0;

        if (guide is not null)
        {
            string guidePath = PostHocStage.Run(o.GuideRunDirectory, SampleStage.GuideSigmaRel);
            guide.Network.LoadStateDict(guidePath);
            guide.Network.Eval();
        }

        using FashionMnistEvaluator evaluator = FashionMnistEvaluator.Create();
        batch ??= SampleStage.PlanBatch(o, SampleStage.Guided(o, main.Denoiser, guide?.Denoiser, o.GuidanceGrid[0]), FinalImages(o)).BatchSize;
        SweepStage.Result sweep = SweepStage.Run(o, main, guide, plan?.SweepSamples ?? o.SweepSamples ?? JobPlan.DefaultSweepSamples, batch.Value, evaluator);
        JobLog.Chosen(_log, sweep.SigmaRel, sweep.Guidance, sweep.Cells.Count, sweep.SamplesPerCell, sweep.Seconds);
        if (sweep.Chosen is { AgreementMet: false, Cell: var fallback })
        {
            JobLog.AgreementNotMet(_log, o.MinAgreement, fallback.ClassAgreement, fallback.SigmaRel, fallback.Guidance, fallback.FdFmnist);
        }

        var stages = new
        {
            MinutesBudget = o.Minutes,
            Plan = plan,
            ImagesSeen = trained.ImagesSeen,
            TrainingWallSeconds = trained.WallSeconds,
            ImagesPerSecond = trained.ImagesPerSecond,
            FinalLoss = trained.FinalLoss,
            SnapshotsWritten = trained.Snapshots,
            SnapshotMegabytes = SnapshotMegabytes(o.RunDirectory),
            GuideImagesSeen = guideTrained?.ImagesSeen,
            GuideTrainingWallSeconds = guideTrained?.WallSeconds,
            Sweep = sweep.Cells,
            SweepSamplesPerCell = sweep.SamplesPerCell,
            SweepWallSeconds = sweep.Seconds,
            MinAgreement = o.MinAgreement,
            MinAgreementMet = sweep.Chosen?.AgreementMet,
        };
        SampleAndEvaluate(o with { SigmaRel = sweep.SigmaRel, Guidance = sweep.Guidance }, main, guide, sweep.Weights, batch, sweep, evaluator, total, stages);
        return 0;
    }

    private void SampleAndEvaluate(JobOptions o, FashionMnistModel main, FashionMnistModel? guide, string weights, int? batch, SweepStage.Result? sweep,
        FashionMnistEvaluator evaluator, Stopwatch total, object stages)
    {
        IDenoiser guided = SampleStage.Guided(o, main.Denoiser, guide?.Denoiser, o.Guidance);
        string samplerName = SamplerCatalog.Name(o.Sampler);
        JobLog.Sampling(_log, samplerName, o.Steps, o.Guide, o.Guidance, weights);
        var clock = Stopwatch.StartNew();
        int[] gridClasses = Enumerable.Range(0, FashionMnistModel.Classes).SelectMany(c => Enumerable.Repeat(c, o.SamplesPerClass)).ToArray();
        if (batch is null)
        {
            SamplingBatchPlan batchPlan = SampleStage.PlanBatch(o, guided, FinalImages(o));
            JobLog.BatchPlanned(_log, batchPlan.BatchSize, batchPlan.Reason);
            batch = batchPlan.BatchSize;
        }

        using SampleStage.Samples grid = SampleStage.Generate(o, guided, gridClasses, batch.Value);
        OutputWriter.WriteGrid(grid, o.SamplesPerClass, o.Output);
        string gridPath = Path.Combine(o.Output, "grid.png"), samplesFolder = Path.Combine(o.Output, "samples");
        JobLog.GridWritten(_log, gridPath, gridClasses.Length, samplesFolder);

        EvaluateStage.Scores scores;
        double samplingSeconds;
        using (SampleStage.Samples evalSamples = SampleStage.Generate(o, guided, SampleStage.Cycle(o.EvalSamples), batch.Value, firstSeed: 100_000))
        {
            samplingSeconds = clock.Elapsed.TotalSeconds;
            scores = EvaluateStage.Samples(evaluator, evalSamples);
        }

        JobLog.Evaluated(_log, scores.FdFmnist, scores.Images, scores.FdRealSameCount, scores.ClassAgreement, scores.ClassifierAccuracy);
        OutputWriter.WriteSummary(new
        {
            Stages = stages,
            Objective = ChoiceOption(o.Objective),
            Guide = ChoiceOption(o.Guide),
            GuideChannels = o.Guide == GuideKind.Auto ? o.GuideChannels : (int?)null,
            Sampler = samplerName,
            SampleBatch = batch,
            Steps = o.Steps,
            Nfe = grid.FunctionEvaluations,
            Guidance = o.Guidance,
            GuidanceInterval = GuidanceIntervalOption.Format(o.GuidanceInterval),
            SigmaRel = o.SigmaRel,
            ChosenBySweep = sweep is { Cells.Count: > 0 },
            Weights = weights,
            FdFmnist = scores.FdFmnist,
            FdFmnistRealSameCount = scores.FdRealSameCount,
            ClassAgreement = scores.ClassAgreement,
            EvaluatedSamples = scores.Images,
            ClassifierTestAccuracy = scores.ClassifierAccuracy,
            SamplingWallSeconds = samplingSeconds,
            EvaluationWallSeconds = clock.Elapsed.TotalSeconds - samplingSeconds,
            TotalWallSeconds = total.Elapsed.TotalSeconds,
        }, o.Output);
    }

    private static int FinalImages(JobOptions o) => (FashionMnistModel.Classes * o.SamplesPerClass) + o.EvalSamples;

    private static string Outcome(TrainStage.Outcome t) => t.Completed ? "budget reached" : "stopped early; run again to continue";

    private static string ChoiceOption<T>(T value)
        where T : struct, Enum => Cli.ChoiceOption.CliName(value);

    private static double SnapshotMegabytes(string run)
    {
        var dir = new DirectoryInfo(new TrainingRun(run).SnapshotDirectory);
        return dir.Exists ? dir.EnumerateFiles().Sum(f => f.Length) / 1e6 : 0;
    }
}
