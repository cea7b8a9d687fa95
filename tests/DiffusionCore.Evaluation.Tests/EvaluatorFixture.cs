using System.Diagnostics;
using DiffusionCore.Data;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace DiffusionCore.Evaluation.Tests;

/// <summary>
/// One evaluator per test run: loads the cached classifier and test statistics from the default cache folder
/// (<see cref="EvaluationCache.DefaultDirectory"/>), training them first (≈ 1–3 minutes on two cores) when missing.
/// Everything is created on first use, so that without Fashion-MNIST the tests of the collection are reported as
/// skipped (<see cref="FashionMnistData.SkipIfMissing"/>) instead of failing in the fixture.
/// </summary>
public sealed class EvaluatorFixture : IDisposable
{
    private readonly IMessageSink _sink;
    private readonly Lazy<FashionMnistDataset> _train = new(() => FashionMnistDataset.Load(new FashionMnistOptions { Split = FashionMnistSplit.Train }));
    private readonly Lazy<FashionMnistDataset> _test = new(() => FashionMnistDataset.Load(new FashionMnistOptions { Split = FashionMnistSplit.Test }));
    private readonly Lazy<FashionMnistEvaluator> _evaluator;

    public EvaluatorFixture(IMessageSink sink)
    {
        _sink = sink;
        _evaluator = new(CreateEvaluator);
    }

    public FashionMnistDataset Train => _train.Value;

    public FashionMnistDataset Test => _test.Value;

    public FashionMnistEvaluator Evaluator => _evaluator.Value;

    /// <summary>Seconds the evaluator took to load the data and load or train the classifier.</summary>
    public double SetupSeconds { get; private set; }

    public void Dispose()
    {
        if (_evaluator.IsValueCreated)
        {
            _evaluator.Value.Dispose();
        }
    }

    private FashionMnistEvaluator CreateEvaluator()
    {
        var clock = Stopwatch.StartNew();
        FashionMnistEvaluator evaluator = FashionMnistEvaluator.Create(Train, Test);
        SetupSeconds = clock.Elapsed.TotalSeconds;
        _sink.OnMessage(new DiagnosticMessage(
            $"FashionMnistEvaluator ready in {SetupSeconds:F1} s ({(evaluator.ClassifierWasTrained ? "trained" : "loaded from cache")} " +
            $"{evaluator.ClassifierPath}; test accuracy {evaluator.ClassifierTestAccuracy:P2}; training took {evaluator.ClassifierTrainingSeconds:F1} s)"));
        return evaluator;
    }
}

[CollectionDefinition(Name)]
public sealed class EvaluatorFixtureDefinition : ICollectionFixture<EvaluatorFixture>
{
    public const string Name = "Fashion-MNIST evaluator";
}
