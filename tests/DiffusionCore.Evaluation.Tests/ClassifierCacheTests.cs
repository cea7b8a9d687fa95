using DiffusionCore.Torch.Serialization;
using DiffusionCore.Data;

namespace DiffusionCore.Evaluation.Tests;

/// <summary>
/// The cache: reused when valid, retrained (never a crash) when corrupt, truncated or stale. Uses a small training
/// subset and a private folder so each retraining takes about a second.
/// </summary>
public sealed class ClassifierCacheTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"dc-eval-cache-{Guid.NewGuid():N}");
    private readonly FashionMnistDataset _train = FashionMnistDataset.Load(new FashionMnistOptions { MaxCount = 1024 });
    private readonly FashionMnistDataset _test = FashionMnistDataset.Load(new FashionMnistOptions { Split = FashionMnistSplit.Test, MaxCount = 256 });

    private FashionMnistEvaluatorOptions Options(int epochs = 1) => new()
    {
        CacheDirectory = _directory,
        Training = new ClassifierTrainingOptions { Seed = 5, Epochs = epochs, BatchSize = 64 },
    };

    private string ClassifierPath => EvaluationCache.ClassifierPath(_directory, 5);

    private string StatisticsPath => EvaluationCache.ReferenceStatisticsPath(_directory, 5);

    [Fact]
    public void A_valid_cache_is_reused_and_training_is_deterministic()
    {
        double accuracy;
        using (FashionMnistEvaluator first = FashionMnistEvaluator.Create(_train, _test, Options()))
        {
            first.ClassifierWasTrained.Should().BeTrue();
            accuracy = first.ClassifierTestAccuracy;
        }

        byte[] trainedBytes = File.ReadAllBytes(ClassifierPath);
        using (FashionMnistEvaluator second = FashionMnistEvaluator.Create(_train, _test, Options()))
        {
            second.ClassifierWasTrained.Should().BeFalse();
            second.ClassifierTestAccuracy.Should().Be(accuracy);
            FashionMnistClassifierTrainer.MeasureAccuracy(second.Classifier, _test).Should().Be(accuracy);
        }

        // Same seed, same data: retraining from scratch reproduces the weights bit for bit.
        File.Delete(ClassifierPath);
        using (FashionMnistEvaluator third = FashionMnistEvaluator.Create(_train, _test, Options()))
        {
            third.ClassifierWasTrained.Should().BeTrue();
        }

        File.WriteAllBytes(ClassifierPath + ".first", trainedBytes);
        ShouldHoldSameTensors(ClassifierPath, ClassifierPath + ".first");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("empty")]
    public void A_corrupt_classifier_file_is_retrained_not_a_crash(string damage)
    {
        using (FashionMnistEvaluator.Create(_train, _test, Options()))
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

        using FashionMnistEvaluator evaluator = FashionMnistEvaluator.Create(_train, _test, Options());
        evaluator.ClassifierWasTrained.Should().BeTrue();
        File.WriteAllBytes(ClassifierPath + ".first", bytes);
        ShouldHoldSameTensors(ClassifierPath, ClassifierPath + ".first");
        evaluator.ReferenceStatistics.Count.Should().Be(256);
    }

    [Fact]
    public void A_stale_classifier_from_another_recipe_is_retrained()
    {
        using (FashionMnistEvaluator.Create(_train, _test, Options(epochs: 1)))
        {
        }

        using FashionMnistEvaluator evaluator = FashionMnistEvaluator.Create(_train, _test, Options(epochs: 2));
        evaluator.ClassifierWasTrained.Should().BeTrue();
        using SafeTensorsFile file = SafeTensorsFile.Open(ClassifierPath);
        file.Metadata["epochs"].Should().Be("2");
    }

    [Fact]
    public void Corrupt_or_stale_reference_statistics_are_recomputed()
    {
        double fd;
        using (FashionMnistEvaluator first = FashionMnistEvaluator.Create(_train, _test, Options()))
        {
            fd = first.FrechetDistance(_train);
        }

        File.WriteAllText(StatisticsPath, "{ not safetensors");
        using (FashionMnistEvaluator second = FashionMnistEvaluator.Create(_train, _test, Options()))
        {
            second.ClassifierWasTrained.Should().BeFalse();
            second.FrechetDistance(_train).Should().BeApproximately(fd, 1e-9);
        }

        // Statistics of another classifier (a retrained one gets another hash) are not reused.
        File.Delete(ClassifierPath);
        using FashionMnistEvaluator third = FashionMnistEvaluator.Create(_train, _test, Options(epochs: 2));
        third.ClassifierWasTrained.Should().BeTrue();
        using FeatureStatistics fresh = third.ComputeStatistics(_test);
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
