using DiffusionCore.Evaluation;
using DiffusionCore.Torch;
using DiffusionCore.Data;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>
/// FD-FMNIST (Fréchet distance in the features of a Fashion-MNIST classifier trained with DiffusionCore, against the
/// 10k test set, whose statistics the evaluator caches) and class agreement of class-conditional samples. FD depends on
/// the number of images, so the summary also reports the FD of the same number of real training images as the floor
/// to compare with.
/// </summary>
internal static class EvaluateStage
{
    public sealed record Scores(double FdFmnist, double? ClassAgreement, long Images, double FdRealSameCount, double ClassifierAccuracy);

    /// <summary>FD-FMNIST and class agreement of <paramref name="samples"/> (no floor).</summary>
    public static EvaluationResult Score(FashionMnistEvaluator evaluator, SampleStage.Samples samples)
    {
        using var scope = new TensorScope();
        Tensor labels = Tensor.FromArray(samples.Classes.Select(c => (long)c).ToArray());
        return evaluator.Evaluate([new ImageBatch(samples.Images, labels)]);
    }

    public static Scores Samples(FashionMnistEvaluator evaluator, SampleStage.Samples samples)
    {
        EvaluationResult r = Score(evaluator, samples);
        FashionMnistDataset train = FashionMnistDataset.Load(new FashionMnistOptions { Resolution = FashionMnistModel.Resolution });
        double floor = evaluator.FrechetDistance(train, samples.Classes.Length);
        return new Scores(r.FrechetDistance, r.ClassAgreement, r.ImageCount, floor, r.ClassifierTestAccuracy);
    }

    public static EvaluationResult Folder(string folder)
    {
        using FashionMnistEvaluator evaluator = FashionMnistEvaluator.Create();
        return evaluator.EvaluateFolder(folder, FashionMnistModel.Resolution);
    }
}
