using System.Text.Json;
using DiffusionCore.Torch;
using DiffusionCore.Data;
using Xunit.Abstractions;

namespace DiffusionCore.Evaluation.Tests;

/// <summary>The trained classifier and FD-FMNIST on real data: accuracy, real-vs-noise separation, class agreement.</summary>
[Collection(EvaluatorFixtureDefinition.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)]
[Trait(TestCategory.Name, TestCategory.Dataset)]
public class FashionMnistEvaluatorTests(EvaluatorFixture fixture, ITestOutputHelper output)
{
    private FashionMnistEvaluator Evaluator => fixture.Evaluator;

    [SkippableFact]
    public void Classifier_reaches_90_percent_on_the_test_set()
    {
        FashionMnistData.SkipIfMissing();
        double accuracy = FashionMnistClassifierTrainer.MeasureAccuracy(Evaluator.Classifier, fixture.Test);
        output.WriteLine($"test accuracy {accuracy:P2} (recorded {Evaluator.ClassifierTestAccuracy:P2}); training took {Evaluator.ClassifierTrainingSeconds:F1} s; setup {fixture.SetupSeconds:F1} s");
        accuracy.Should().BeGreaterThanOrEqualTo(0.90);
        accuracy.Should().BeApproximately(Evaluator.ClassifierTestAccuracy, 1e-12, "the cached accuracy describes these weights");
        Evaluator.ReferenceStatistics.Count.Should().Be(10_000);
        Evaluator.ReferenceStatistics.Dimension.Should().Be(FashionMnistClassifier.FeatureDimension);
    }

    [SkippableFact]
    public void Real_training_images_are_far_closer_to_the_test_set_than_noise()
    {
        FashionMnistData.SkipIfMissing();
        double real = Evaluator.FrechetDistance(fixture.Train, maxCount: 10_000);
        double noise = Evaluator.FrechetDistance(UniformNoise(seed: 7, count: 10_000, batch: 1000));
        output.WriteLine($"FD-FMNIST(train[0:10000], test) = {real:F4}; FD-FMNIST(uniform noise ×10000, test) = {noise:F4}; ratio {real / noise:E3}");
        real.Should().BePositive();
        real.Should().BeLessThan(0.05 * noise);
    }

    [SkippableFact]
    public void Padded_32_by_32_images_measure_the_same_as_28_by_28()
    {
        FashionMnistData.SkipIfMissing();
        var padded = FashionMnistDataset.Load(new FashionMnistOptions { Split = FashionMnistSplit.Train, Resolution = 32, MaxCount = 2000 });
        var plain = FashionMnistDataset.Load(new FashionMnistOptions { Split = FashionMnistSplit.Train, MaxCount = 2000 });
        double fd32 = Evaluator.FrechetDistance(padded);
        double fd28 = Evaluator.FrechetDistance(plain);
        output.WriteLine($"FD-FMNIST(train[0:2000] at 32×32) = {fd32:F6}, at 28×28 = {fd28:F6}");
        fd32.Should().BeApproximately(fd28, 1e-9);
    }

    [SkippableFact]
    public void Real_labelled_test_images_agree_with_their_class_and_match_the_reference()
    {
        FashionMnistData.SkipIfMissing();
        EvaluationResult result = Evaluator.Evaluate(fixture.Test);
        output.WriteLine(result.ToJson());
        result.ImageCount.Should().Be(10_000);
        result.LabelledImageCount.Should().Be(10_000);
        result.ClassAgreement.Should().BeGreaterThanOrEqualTo(0.9);
        result.ClassAgreement!.Value.Should().BeApproximately(Evaluator.ClassifierTestAccuracy, 1e-12);
        result.FrechetDistance.Should().BeLessThan(1e-6, "the test set against its own statistics");
        result.ReferenceImageCount.Should().Be(10_000);

        using JsonDocument json = JsonDocument.Parse(result.ToJson());
        json.RootElement.GetProperty("fd_fmnist").GetDouble().Should().Be(result.FrechetDistance);
        json.RootElement.GetProperty("class_agreement").GetDouble().Should().Be(result.ClassAgreement!.Value);
    }

    [SkippableFact]
    public void Class_agreement_of_wrong_labels_is_low_and_bad_labels_are_rejected()
    {
        FashionMnistData.SkipIfMissing();
        using var scope = new TensorScope();
        int[] indices = Enumerable.Range(0, 1000).ToArray();
        ImageBatch batch = fixture.Test.ReadBatch(indices);
        Evaluator.ClassAgreement(batch.Images, batch.Labels!).Should().BeGreaterThanOrEqualTo(0.85);
        Tensor shifted = (batch.Labels! + 1L).Remainder(10L);
        Evaluator.ClassAgreement(batch.Images, shifted).Should().BeLessThan(0.1);
        Action outOfRange = () => Evaluator.ClassAgreement(batch.Images, batch.Labels! + 10L);
        outOfRange.Should().Throw<ArgumentException>().WithMessage("*0..9*");
        Action mismatched = () => Evaluator.ClassAgreement(batch.Images, batch.Labels!.Narrow(0, 0, 10));
        mismatched.Should().Throw<ArgumentException>().WithMessage("*one requested class per image*");
    }

    [SkippableFact]
    public void Streaming_batches_and_a_dataset_give_the_same_statistics()
    {
        FashionMnistData.SkipIfMissing();
        using var scope = new TensorScope();
        using FeatureStatistics fromDataset = Evaluator.ComputeStatistics(fixture.Test, maxCount: 1200);
        ImageBatch all = fixture.Test.ReadBatch(Enumerable.Range(0, 1200).ToArray());
        using FeatureStatistics fromBatches = Evaluator.ComputeStatistics([all.Images.Narrow(0, 0, 700), all.Images.Narrow(0, 700, 500)]);
        fromBatches.Count.Should().Be(1200);

        // The classifier computes its float32 features batch by batch, and libtorch's CPU kernels need not round
        // identically for different batch sizes (seen on an AVX512 CPU: relative differences of 1e-8), so the two agree
        // to float32 precision, not bit for bit. A lost, repeated or misweighted batch would move them far more.
        double meanScale = fromDataset.Mean.Abs().Max().ToDouble();
        double covarianceScale = fromDataset.Covariance.Abs().Max().ToDouble();
        (fromBatches.Mean - fromDataset.Mean).Abs().Max().ToDouble().Should().BeLessThan(1e-6 * meanScale);
        (fromBatches.Covariance - fromDataset.Covariance).Abs().Max().ToDouble().Should().BeLessThan(1e-6 * covarianceScale);
        Evaluator.ExtractFeatures(all.Images.Narrow(0, 0, 4)).Shape.Should().Equal(4, FashionMnistClassifier.FeatureDimension);
    }

    [SkippableFact]
    public void A_folder_of_pngs_with_dataset_json_measures_like_the_tensors_it_was_written_from()
    {
        FashionMnistData.SkipIfMissing();
        string folder = Path.Combine(Path.GetTempPath(), $"dc-eval-png-{Guid.NewGuid():N}");
        try
        {
            using var scope = new TensorScope();
            Directory.CreateDirectory(folder);
            var padded = FashionMnistDataset.Load(new FashionMnistOptions { Split = FashionMnistSplit.Test, Resolution = 32, MaxCount = 300 });
            ImageBatch batch = padded.ReadBatch(Enumerable.Range(0, 300).ToArray());
            long[] labels = batch.Labels!.ToArray<long>();
            var entries = new List<string>();
            for (int i = 0; i < 300; i++)
            {
                // [−1, 1] → uint8 exactly as the dataset scaled it (x = p/127.5 − 1).
                Tensor pixels = ((batch.Images[i] + 1.0) * 127.5).Round().To(DType.UInt8);
                string name = $"img{i:D5}.png";
                DiffusionCore.Data.Imaging.ImageCodec.WritePng(pixels, Path.Combine(folder, name));
                entries.Add($"[\"{name}\", {labels[i]}]");
            }

            File.WriteAllText(Path.Combine(folder, "dataset.json"), $"{{\"labels\": [{string.Join(", ", entries)}]}}");
            EvaluationResult fromFolder = Evaluator.EvaluateFolder(folder, resolution: 32);
            EvaluationResult fromTensors = Evaluator.Evaluate([batch]);
            output.WriteLine($"folder: {fromFolder.ToJson()}");
            fromFolder.ImageCount.Should().Be(300);
            fromFolder.ClassAgreement.Should().Be(fromTensors.ClassAgreement);
            fromFolder.ClassAgreement.Should().BeGreaterThanOrEqualTo(0.85);
            fromFolder.FrechetDistance.Should().BeApproximately(fromTensors.FrechetDistance, 1e-6 * fromTensors.FrechetDistance);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IEnumerable<Tensor> UniformNoise(ulong seed, int count, int batch)
    {
        using var generator = new Generator(seed);
        for (int done = 0; done < count; done += batch)
        {
            yield return (Tensor.Rand([Math.Min(batch, count - done), 1, 28, 28], generator) * 2.0) - 1.0;
        }
    }
}
