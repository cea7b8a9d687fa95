using System.Diagnostics;
using DiffusionCore.Data;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace DiffusionCore.Evaluation.Tests;

/// <summary>
/// One evaluator per test run: loads the cached classifier and test statistics from the default cache folder
/// (<see cref="EvaluationCache.DefaultDirectory"/>), training them first (≈ 1–3 minutes on two cores) when missing.
/// </summary>
public sealed class EvaluatorFixture : IDisposable
{
    public EvaluatorFixture(IMessageSink sink)
    {
        Train = FashionMnistDataset.Load(new FashionMnistOptions { Split = FashionMnistSplit.Train });
        Test = FashionMnistDataset.Load(new FashionMnistOptions { Split = FashionMnistSplit.Test });
        var clock = Stopwatch.StartNew();
        Evaluator = FashionMnistEvaluator.Create(Train, Test);
        SetupSeconds = clock.Elapsed.TotalSeconds;
        sink.OnMessage(new DiagnosticMessage(
            $"FashionMnistEvaluator ready in {SetupSeconds:F1} s ({(Evaluator.ClassifierWasTrained ? "trained" : "loaded from cache")} " +
            $"{Evaluator.ClassifierPath}; test accuracy {Evaluator.ClassifierTestAccuracy:P2}; training took {Evaluator.ClassifierTrainingSeconds:F1} s)"));
    }

    public FashionMnistDataset Train { get; }

    public FashionMnistDataset Test { get; }

    public FashionMnistEvaluator Evaluator { get; }

    public double SetupSeconds { get; }

    public void Dispose() => Evaluator.Dispose();
}

[CollectionDefinition(Name)]
public sealed class EvaluatorFixtureDefinition : ICollectionFixture<EvaluatorFixture>
{
    public const string Name = "Fashion-MNIST evaluator";
}
