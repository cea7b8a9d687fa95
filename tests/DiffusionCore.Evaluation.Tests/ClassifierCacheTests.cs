using DiffusionCore.Torch.Serialization;
using DiffusionCore.Data;

namespace DiffusionCore.Evaluation.Tests;

/// <summary>
/// The cache: reused when valid, retrained (never a crash) when corrupt, truncated or stale. Uses a small training
/// subset and a private folder so each retraining takes about a second.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Slow)]
[Trait(TestCategory.Name, TestCategory.Dataset)]
public sealed class ClassifierCacheTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"dc-eval-cache-{Guid.NewGuid():N}");
    private readonly Lazy<FashionMnistDataset> _trainSubset = new(() => FashionMnistDataset.Load(new FashionMnistOptions { MaxCount = 1024 }));
    private readonly Lazy<FashionMnistDataset> _testSubset = new(() => FashionMnistDataset.Load(new FashionMnistOptions { Split = FashionMnistSplit.Test, MaxCount = 256 }));

    private FashionMnistDataset Train => _trainSubset.Value;

    private FashionMnistDataset Test => _testSubset.Value;

    private FashionMnistEvaluatorOptions Options(int epochs = 1) => new()
    {
        CacheDirectory = _directory,
        Training = new ClassifierTrainingOptions { Seed = 5, Epochs = epochs, BatchSize = 64 },
    };

    private string ClassifierPath => EvaluationCache.ClassifierPath(_directory, 5);

    private string StatisticsPath => EvaluationCache.ReferenceStatisticsPath(_directory, 5);

    [SkippableFact]
    public void A_valid_cache_is_reused_and_training_is_deterministic()
    {
        FashionMnistData.SkipIfMissing();
        double accuracy;
        using (FashionMnistEvaluator first = FashionMnistEvaluator.Create(Train, Test, Options()))
        {
            first.ClassifierWasTrained.Should().BeTrue();
            accuracy = first.ClassifierTestAccuracy;
        }

        byte[] trainedBytes = File.ReadAllBytes(ClassifierPath);
        using (FashionMnistEvaluator second = FashionMnistEvaluator.Create(Train, Test, Options()))
        {
            second.ClassifierWasTrained.Should().BeFalse();
            second.ClassifierTestAccuracy.Should().Be(accuracy);
            FashionMnistClassifierTrainer.MeasureAccuracy(second.Classifier, Test).Should().Be(accuracy);
        }

        // Same seed, same data: retraining from scratch reproduces the weights bit for bit.
        File.Delete(ClassifierPath);
        using (FashionMnistEvaluator third = FashionMnistEvaluator.Create(Train, Test, Options()))
        {
            third.ClassifierWasTrained.Should().BeTrue();
        }

        File.WriteAllBytes(ClassifierPath + ".first", trainedBytes);
        ShouldHoldSameTensors(ClassifierPath, ClassifierPath + ".first");
    }

    [SkippableTheory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("empty")]
    public void A_corrupt_classifier_file_is_retrained_not_a_crash(string damage)
    {
        FashionMnistData.SkipIfMissing();
        using (FashionMnistEvaluator.Create(Train, Test, Options()))
        {
        }

        byte[] bytes = File.ReadAllBytes(ClassifierPath);
        byte[] damaged = damage switch
        {
            "garbage" => "this is not a safetensors file"u8.ToArray(),
            "truncated" => bytes[..(bytes.Length / 2)],
            _ => [],
        };
        File.WriteAllBytes(ClassifierPath, damaged);

        using FashionMnistEvaluator evaluator = FashionMnistEvaluator.Create(Train, Test, Options());
        evaluator.ClassifierWasTrained.Should().BeTrue();
        File.WriteAllBytes(ClassifierPath + ".first", bytes);
        ShouldHoldSameTensors(ClassifierPath, ClassifierPath + ".first");
        evaluator.ReferenceStatistics.Count.Should().Be(256);
    }

    [SkippableFact]
    public void A_stale_classifier_from_another_recipe_is_retrained()
    {
        FashionMnistData.SkipIfMissing();
        using (FashionMnistEvaluator.Create(Train, Test, Options(epochs: 1)))
        {
        }

        using FashionMnistEvaluator evaluator = FashionMnistEvaluator.Create(Train, Test, Options(epochs: 2));
        evaluator.ClassifierWasTrained.Should().BeTrue();
        using SafeTensorsFile file = SafeTensorsFile.Open(ClassifierPath);
        file.Metadata["epochs"].Should().Be("2");
    }

    [SkippableFact]
    public void Corrupt_or_stale_reference_statistics_are_recomputed()
    {
        FashionMnistData.SkipIfMissing();
        double fd;
        using (FashionMnistEvaluator first = FashionMnistEvaluator.Create(Train, Test, Options()))
        {
            fd = first.FrechetDistance(Train);
        }

        File.WriteAllText(StatisticsPath, "{ not safetensors");
        using (FashionMnistEvaluator second = FashionMnistEvaluator.Create(Train, Test, Options()))
        {
            second.ClassifierWasTrained.Should().BeFalse();
            second.FrechetDistance(Train).Should().BeApproximately(fd, 1e-9);
        }

        // Statistics of another classifier (a retrained one gets another hash) are not reused.
        File.Delete(ClassifierPath);
        using FashionMnistEvaluator third = FashionMnistEvaluator.Create(Train, Test, Options(epochs: 2));
        third.ClassifierWasTrained.Should().BeTrue();
        using FeatureStatistics fresh = third.ComputeStatistics(Test);
        (third.ReferenceStatistics.Mean - fresh.Mean).Abs().Max().ToDouble().Should().BeLessThan(1e-12);
        (third.ReferenceStatistics.Covariance - fresh.Covariance).Abs().Max().ToDouble().Should().BeLessThan(1e-12);
    }

    /// <summary>Same weights, bit for bit (the metadata differs: it records the training time).</summary>
    private static void ShouldHoldSameTensors(string path, string otherPath)
    {
        using var scope = new DiffusionCore.Torch.TensorScope();
        using SafeTensorsContents a = SafeTensors.Load(path);
        using SafeTensorsContents b = SafeTensors.Load(otherPath);
        a.Tensors.Keys.Should().BeEquivalentTo(b.Tensors.Keys);
        foreach ((string name, DiffusionCore.Torch.Tensor t) in a.Tensors)
        {
            (t - b[name]).Abs().Max().ToDouble().Should().Be(0, "tensor {0} is deterministic from the seed", name);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
