using System.Diagnostics;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Sampling;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Samples.FashionMnist.Distributed;
using DiffusionCore.Training;
using Microsoft.Extensions.Logging;
using TorchLib = DiffusionCore.Torch.Torch;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>Runs the stages of a <see cref="JobCommand"/>: train, post-hoc EMA, sample and evaluate, writing the outputs.</summary>
internal sealed class FashionMnistJob(ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger<FashionMnistJob>();

    public int Run(JobCommand command, JobOptions o)
    {
        if (LocalLauncher.ShouldLaunch(o.Processes)) return LocalLauncher.Run(o.Processes, _log);
        using RankRole rank = RankRole.FromEnvironment(o.Processes, _log);
        if (!rank.WritesOutputs && command is not (JobCommand.Run or JobCommand.Train)) return 0;
        TorchLib.NumThreads = o.Threads;
        JobLog.Started(_log, TorchLib.Version, TorchLib.NumThreads, o.RunDirectory);
        var total = Stopwatch.StartNew();
        var history = new TrainingHistory(o.RunDirectory);
        TrainStage.Outcome? trained = null;
        if (command is JobCommand.Run or JobCommand.Train)
        {
            trained = rank.Train(() => TrainStage.Run(o, history, loggers.CreateLogger<DiffusionTrainer>(), rank), o.RunDirectory);
            if (!rank.WritesOutputs) return 0;
            TorchLib.NumThreads = rank.ThreadsAfterTraining(o.Threads);
            JobLog.Trained(_log, trained.ImagesSeen, trained.Completed ? "budget reached" : "stopped early; run again to continue", trained.ImagesPerSecond, trained.FinalLoss);
            OutputWriter.WriteCurves(history, o.Output);
            if (command == JobCommand.Train) return 0;
        }

        if (command is JobCommand.Run or JobCommand.PostHoc)
        {
            PostHocStage.Run(o);
            if (command == JobCommand.PostHoc) return 0;
        }

        if (command == JobCommand.Evaluate)
        {
            string folder = o.Folder ?? Path.Combine(o.Output, "samples");
            Console.WriteLine(EvaluateStage.Folder(folder).ToJson());
            return 0;
        }

        using Edm2Denoiser net = SampleStage.LoadNetwork(o, out string weights);
        JobLog.Sampling(_log, o.Sampler, o.Steps, o.Guidance, weights);
        int[] gridClasses = Enumerable.Range(0, FashionMnistModel.Classes).SelectMany(c => Enumerable.Repeat(c, o.SamplesPerClass)).ToArray();
        SamplingBatchPlan batchPlan = SampleStage.PlanBatch(o, net, gridClasses.Length + o.EvalSamples);
        JobLog.BatchPlanned(_log, batchPlan.BatchSize, batchPlan.Reason);
        using SampleStage.Samples grid = SampleStage.Generate(o, net, gridClasses, batchPlan.BatchSize);
        OutputWriter.WriteGrid(grid, o.SamplesPerClass, o.Output);
        string gridPath = Path.Combine(o.Output, "grid.png"), samplesFolder = Path.Combine(o.Output, "samples");
        JobLog.GridWritten(_log, gridPath, gridClasses.Length, samplesFolder);

        int[] evalClasses = Enumerable.Range(0, o.EvalSamples).Select(i => i % FashionMnistModel.Classes).ToArray();
        EvaluateStage.Scores scores;
        using (SampleStage.Samples evalSamples = SampleStage.Generate(o, net, evalClasses, batchPlan.BatchSize, firstSeed: 100_000))
        {
            scores = EvaluateStage.Samples(evalSamples);
        }

        JobLog.Evaluated(_log, scores.FdFmnist, scores.Images, scores.FdRealSameCount, scores.ClassAgreement, scores.ClassifierAccuracy);
        OutputWriter.WriteSummary(new
        {
            ImagesSeen = trained?.ImagesSeen,
            TrainingWallSeconds = trained?.WallSeconds,
            ImagesPerSecond = trained?.ImagesPerSecond,
            FinalLoss = trained?.FinalLoss,
            Sampler = ChoiceOption.CliName(o.Sampler),
            SampleBatch = batchPlan.BatchSize,
            Steps = o.Steps,
            Nfe = grid.FunctionEvaluations,
            Guidance = o.Guidance,
            SigmaRel = o.SigmaRel,
            Weights = weights,
            FdFmnist = scores.FdFmnist,
            FdFmnistRealSameCount = scores.FdRealSameCount,
            ClassAgreement = scores.ClassAgreement,
            EvaluatedSamples = scores.Images,
            ClassifierTestAccuracy = scores.ClassifierAccuracy,
            TotalWallSeconds = total.Elapsed.TotalSeconds,
        }, o.Output);
        return 0;
    }
}
