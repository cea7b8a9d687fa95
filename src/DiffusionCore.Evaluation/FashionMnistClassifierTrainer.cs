using System.Diagnostics;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Optim;
using DiffusionCore.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiffusionCore.Evaluation;

/// <summary>
/// Trains <see cref="FashionMnistClassifier"/> with DiffusionCore itself: cross-entropy, Adam (Kingma &amp; Ba 2015)
/// with a learning rate decayed linearly to zero, shuffled mini-batches drawn from one seeded generator, so a seed
/// determines the result. No augmentation: the classifier should describe the data distribution as it is.
/// </summary>
public static class FashionMnistClassifierTrainer
{
    /// <summary>Trains a new classifier on the labelled Fashion-MNIST <paramref name="train"/> images.</summary>
    /// <param name="train">Labelled grey images (28×28, or padded such as 32×32) with 10 classes.</param>
    /// <param name="options">Seed, epochs, batch size and learning rate; null for the defaults.</param>
    /// <param name="logger">Receives one line per epoch; null for none.</param>
    /// <returns>The trained classifier in evaluation mode; the caller owns (disposes) it.</returns>
    /// <exception cref="ArgumentException">The dataset is not labelled grey images with 10 classes.</exception>
    public static FashionMnistClassifier Train(IImageDataset train, ClassifierTrainingOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options ??= new ClassifierTrainingOptions();
        options.Validate();
        logger ??= NullLogger.Instance;
        RequireLabelledFashionMnist(train, nameof(train));

        using var generator = new Generator(options.Seed);
        var classifier = new FashionMnistClassifier(generator);
        try
        {
            classifier.Train();
            using var optimizer = new Adam(classifier.Parameters(), new AdamOptions { LearningRate = options.LearningRate });
            int stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
            long totalSteps = (long)stepsPerEpoch * options.Epochs;
            long step = 0;
            for (int epoch = 0; epoch < options.Epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                int[] order = Permutation(train.Count, generator);
                double lossSum = 0;
                for (int start = 0; start < order.Length; start += options.BatchSize)
                {
                    using var scope = new TensorScope();
                    optimizer.SetLearningRate(options.LearningRate * (1.0 - ((double)step / totalSteps)));
                    ImageBatch batch = train.ReadBatch(order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)));
                    Tensor logits = classifier.Forward(FashionMnistImages.Canonicalize(batch.Images));
                    Tensor loss = Functional.CrossEntropy(logits, batch.Labels!);
                    optimizer.ZeroGrad();
                    loss.Backward();
                    optimizer.Step();
                    lossSum += loss.ToDouble();
                    step++;
                }

                EvaluationLog.TrainingEpoch(logger, epoch + 1, options.Epochs, lossSum / stepsPerEpoch, clock.Elapsed.TotalSeconds);
            }

            classifier.ZeroGrad();
            classifier.Eval();
            return classifier;
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
    }

    /// <summary>The fraction of <paramref name="test"/> images whose most likely class is their label.</summary>
    /// <param name="classifier">The classifier (put in evaluation mode).</param>
    /// <param name="test">Labelled grey images with 10 classes.</param>
    /// <param name="batchSize">Images per forward pass.</param>
    public static double MeasureAccuracy(FashionMnistClassifier classifier, IImageDataset test, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        RequireLabelledFashionMnist(test, nameof(test));
        classifier.Eval();
        using var noGrad = new NoGradScope();
        long correct = 0;
        int[] indices = new int[Math.Min(batchSize, test.Count)];
        for (int start = 0; start < test.Count; start += batchSize)
        {
            using var scope = new TensorScope();
            int n = Math.Min(batchSize, test.Count - start);
            for (int i = 0; i < n; i++)
            {
                indices[i] = start + i;
            }

            ImageBatch batch = test.ReadBatch(indices.AsSpan(0, n));
            Tensor predicted = classifier.Forward(FashionMnistImages.Canonicalize(batch.Images)).ArgMax(1);
            correct += predicted.Eq(batch.Labels!).To(DType.Int64).Sum().ToInt64();
        }

        return (double)correct / test.Count;
    }

    internal static void RequireLabelledFashionMnist(IImageDataset dataset, string parameterName)
    {
        if (dataset.Count < 1 || dataset.Channels != 1 || dataset.LabelCount != FashionMnistClassifier.ClassCount)
        {
            throw new ArgumentException(
                $"Expected labelled grey Fashion-MNIST images (1 channel, {FashionMnistClassifier.ClassCount} classes, at least one image); got " +
                $"{dataset.Count} images with {dataset.Channels} channel(s) and {dataset.LabelCount} classes.",
                parameterName);
        }
    }

    private static int[] Permutation(int count, Generator generator)
    {
        using var scope = new TensorScope();
        long[] perm = Tensor.RandPerm(count, generator).ToArray<long>();
        return Array.ConvertAll(perm, static i => (int)i);
    }
}
