using DiffusionCore.Torch;
using DiffusionCore.Data;

namespace DiffusionCore.Evaluation;

/// <summary>
/// FD-FMNIST and class agreement for Fashion-MNIST-like images. FD-FMNIST is the Fréchet distance (Heusel et al. 2017,
/// eq. 6) between Gaussians fitted to <see cref="FashionMnistClassifier"/> features of the evaluated images and of the
/// 10,000 Fashion-MNIST test images — FID with a domain classifier in place of Inception-v3. Class agreement is the
/// fraction of class-conditional samples that the classifier assigns to the class they were generated for.
/// </summary>
/// <remarks>
/// <see cref="Create(IImageDataset, IImageDataset, FashionMnistEvaluatorOptions?)"/> loads the classifier and the test
/// statistics from the cache folder, training and computing them (once, about two minutes on two cores) when they are
/// missing, stale or corrupt. Images may be 28×28 or padded (e.g. 32×32); see <see cref="FashionMnistImages"/>.
/// Features are accumulated batch by batch in float64, so any number of images can be evaluated in bounded memory.
/// </remarks>
public sealed partial class FashionMnistEvaluator : IDisposable
{
    private readonly int _batchSize;

    private FashionMnistEvaluator(
        FashionMnistClassifier classifier, ClassifierCacheEntry entry, bool trained, string classifierPath, FeatureStatistics reference, int batchSize)
    {
        Classifier = classifier;
        ClassifierTestAccuracy = entry.TestAccuracy;
        ClassifierTrainingSeconds = entry.TrainingSeconds;
        ClassifierWasTrained = trained;
        ClassifierPath = classifierPath;
        ReferenceStatistics = reference;
        _batchSize = batchSize;
    }

    /// <summary>The feature network and classifier (in evaluation mode).</summary>
    public FashionMnistClassifier Classifier { get; }

    /// <summary>The classifier's accuracy on the test set, measured when it was trained.</summary>
    public double ClassifierTestAccuracy { get; }

    /// <summary>How long training the classifier took, in seconds (recorded in the cache when it was trained).</summary>
    public double ClassifierTrainingSeconds { get; }

    /// <summary>True when this instance trained the classifier; false when it came from the cache.</summary>
    public bool ClassifierWasTrained { get; }

    /// <summary>The cache file of the classifier weights.</summary>
    public string ClassifierPath { get; }

    /// <summary>The feature statistics of the reference images (the Fashion-MNIST test set).</summary>
    public FeatureStatistics ReferenceStatistics { get; }

    /// <summary>
    /// The evaluator for Fashion-MNIST as installed by the Debian package <c>dataset-fashion-mnist</c> (or in
    /// <paramref name="dataDirectory"/>): classifier trained on the 60,000 training images, reference statistics of the
    /// 10,000 test images; both loaded from the cache when valid.
    /// </summary>
    /// <exception cref="DatasetNotFoundException">The Fashion-MNIST files are missing.</exception>
    public static FashionMnistEvaluator Create(FashionMnistEvaluatorOptions? options = null, string dataDirectory = FashionMnistOptions.DefaultDirectory)
    {
        FashionMnistDataset train = FashionMnistDataset.Load(new FashionMnistOptions { Directory = dataDirectory, Split = FashionMnistSplit.Train });
        FashionMnistDataset test = FashionMnistDataset.Load(new FashionMnistOptions { Directory = dataDirectory, Split = FashionMnistSplit.Test });
        return Create(train, test, options);
    }

    /// <summary>
    /// The evaluator for a classifier trained on <paramref name="train"/> and reference statistics of
    /// <paramref name="test"/> (both labelled grey images with 10 classes), loaded from the cache when valid.
    /// </summary>
    /// <exception cref="ArgumentException">A dataset is not labelled grey images with 10 classes, or an option is invalid.</exception>
    public static FashionMnistEvaluator Create(IImageDataset train, IImageDataset test, FashionMnistEvaluatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        options ??= new FashionMnistEvaluatorOptions();
        options.Validate();
        FashionMnistClassifierTrainer.RequireLabelledFashionMnist(train, nameof(train));
        FashionMnistClassifierTrainer.RequireLabelledFashionMnist(test, nameof(test));
        if (test.Count < 2)
        {
            throw new ArgumentException("The reference (test) set needs at least 2 images for a covariance.", nameof(test));
        }

        string directory = options.CacheDirectory ?? EvaluationCache.DefaultDirectory;
        string classifierPath = EvaluationCache.ClassifierPath(directory, options.Training.Seed);
        (FashionMnistClassifier classifier, ClassifierCacheEntry entry, bool trained) =
            ClassifierStore.LoadOrTrain(classifierPath, train, test, options);
        try
        {
            string hash = ClassifierStore.HashFile(classifierPath);
            FeatureStatistics reference = ClassifierStore.LoadOrCompute(
                EvaluationCache.ReferenceStatisticsPath(directory, options.Training.Seed),
                hash,
                test,
                dataset => ComputeStatistics(classifier, dataset, dataset.Count, options.EvaluationBatchSize),
                options.Logger);
            return new FashionMnistEvaluator(classifier, entry, trained, classifierPath, reference, options.EvaluationBatchSize);
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Classifier features [B, <see cref="FashionMnistClassifier.FeatureDimension"/>] (float32) of grey images
    /// [B, 1, H, W] in [−1, 1], H, W ≥ 28 (canonicalised by <see cref="FashionMnistImages.Canonicalize"/>).
    /// </summary>
    public Tensor ExtractFeatures(Tensor images)
    {
        using var noGrad = new NoGradScope();
        using var scope = new TensorScope();
        return Classifier.Features(Prepare(images)).MoveToOuterScope();
    }

    /// <summary>The most likely class (int64 [B]) of each grey image [B, 1, H, W] in [−1, 1].</summary>
    public Tensor PredictClasses(Tensor images)
    {
        using var noGrad = new NoGradScope();
        using var scope = new TensorScope();
        return Classifier.Forward(Prepare(images)).ArgMax(1).MoveToOuterScope();
    }

    /// <summary>
    /// Feature statistics of image batches (each [B, 1, H, W] in [−1, 1]; any batch size — large ones are split).
    /// Tensors that the enumeration creates lazily (e.g. a sampler yielding fresh batches) are freed once used;
    /// tensors that already existed stay the caller's.
    /// </summary>
    /// <exception cref="InvalidOperationException">Fewer than two images were given.</exception>
    public FeatureStatistics ComputeStatistics(IEnumerable<Tensor> imageBatches)
    {
        ArgumentNullException.ThrowIfNull(imageBatches);
        return EvaluateCore(imageBatches.Select(static images => new ImageBatch(images, null))).Statistics;
    }

    /// <summary>Feature statistics of the first <paramref name="maxCount"/> (default: all) images of a dataset.</summary>
    public FeatureStatistics ComputeStatistics(IImageDataset images, int? maxCount = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        return ComputeStatistics(Classifier, images, Math.Min(maxCount ?? images.Count, images.Count), _batchSize);
    }

    /// <summary>FD-FMNIST of image batches against the test set (Heusel et al. 2017, eq. 6).</summary>
    public double FrechetDistance(IEnumerable<Tensor> imageBatches)
    {
        using FeatureStatistics stats = ComputeStatistics(imageBatches);
        return Evaluation.FrechetDistance.Compute(stats, ReferenceStatistics);
    }

    /// <summary>FD-FMNIST of the first <paramref name="maxCount"/> (default: all) images of a dataset against the test set.</summary>
    public double FrechetDistance(IImageDataset images, int? maxCount = null)
    {
        using FeatureStatistics stats = ComputeStatistics(images, maxCount);
        return Evaluation.FrechetDistance.Compute(stats, ReferenceStatistics);
    }

    /// <summary>
    /// Class agreement: the fraction of <paramref name="images"/> [B, 1, H, W] whose predicted class equals the
    /// requested class in <paramref name="requestedClasses"/> (int64 [B]).
    /// </summary>
    /// <exception cref="ArgumentException">The label count does not match the images, or a label is not a class 0–9.</exception>
    public double ClassAgreement(Tensor images, Tensor requestedClasses)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(requestedClasses);
        using var scope = new TensorScope();
        (long agree, long labelled) = (0, 0);
        foreach (ImageBatch chunk in Chunks(new ImageBatch(images, requestedClasses)))
        {
            Tensor predicted = PredictClasses(chunk.Images);
            agree += predicted.Eq(chunk.Labels!).To(DType.Int64).Sum().ToInt64();
            labelled += chunk.Labels!.Size(0);
        }

        return labelled == 0 ? throw new ArgumentException("No images were given.", nameof(images)) : (double)agree / labelled;
    }

    /// <summary>
    /// One pass over image batches computing FD-FMNIST and, over the batches that carry labels (the classes the images
    /// were generated for), class agreement. See <see cref="ComputeStatistics(IEnumerable{Tensor})"/> for tensor
    /// ownership.
    /// </summary>
    /// <exception cref="InvalidOperationException">Fewer than two images were given.</exception>
    public EvaluationResult Evaluate(IEnumerable<ImageBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        (FeatureStatistics stats, EvaluationResult result) = EvaluateCore(batches);
        stats.Dispose();
        return result;
    }

    /// <summary>FD-FMNIST and (for a labelled dataset) class agreement of the first <paramref name="maxCount"/> (default: all) images of a dataset.</summary>
    public EvaluationResult Evaluate(IImageDataset images, int? maxCount = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Evaluate(ReadAll(images, Math.Min(maxCount ?? images.Count, images.Count), _batchSize));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Classifier.Dispose();
        ReferenceStatistics.Dispose();
    }

    private (FeatureStatistics Statistics, EvaluationResult Result) EvaluateCore(IEnumerable<ImageBatch> batches)
    {
        using var accumulator = new FeatureStatisticsAccumulator(FashionMnistClassifier.FeatureDimension);
        using var noGrad = new NoGradScope();
        long agree = 0;
        long labelledCount = 0;
        using IEnumerator<ImageBatch> e = batches.GetEnumerator();
        while (true)
        {
            // MoveNext runs inside the scope: batches the enumeration creates are freed with it.
            using var scope = new TensorScope();
            if (!e.MoveNext())
            {
                break;
            }

            ArgumentNullException.ThrowIfNull(e.Current, nameof(batches));
            foreach (ImageBatch chunk in Chunks(e.Current))
            {
                Tensor features = Classifier.Features(Prepare(chunk.Images));
                accumulator.Add(features);
                if (chunk.Labels is not null)
                {
                    Tensor predicted = Classifier.Logits(features).ArgMax(1);
                    agree += predicted.Eq(chunk.Labels).To(DType.Int64).Sum().ToInt64();
                    labelledCount += chunk.Labels.Size(0);
                }
            }
        }

        FeatureStatistics stats = accumulator.ToStatistics();
        var result = new EvaluationResult(
            Evaluation.FrechetDistance.Compute(stats, ReferenceStatistics),
            stats.Count,
            labelledCount > 0 ? (double)agree / labelledCount : null,
            labelledCount,
            ReferenceStatistics.Count,
            ClassifierTestAccuracy,
            FashionMnistClassifier.FeatureDimension);
        return (stats, result);
    }

    /// <summary>Splits a batch into chunks of at most the evaluation batch size, validating labels.</summary>
    private IEnumerable<ImageBatch> Chunks(ImageBatch batch)
    {
        long n = batch.Images.Dim > 0 ? batch.Images.Size(0) : 0;
        if (batch.Labels is not null)
        {
            if (batch.Labels.Dim != 1 || batch.Labels.Size(0) != n)
            {
                throw new ArgumentException(
                    $"Expected one requested class per image (int64 [{n}]); got labels of shape [{string.Join(", ", batch.Labels.Shape)}].");
            }

            if (n > 0 && (batch.Labels.Min().ToInt64() < 0 || batch.Labels.Max().ToInt64() >= FashionMnistClassifier.ClassCount))
            {
                throw new ArgumentException($"Requested classes must lie in 0..{FashionMnistClassifier.ClassCount - 1}.");
            }
        }

        for (long start = 0; start < n; start += _batchSize)
        {
            long length = Math.Min(_batchSize, n - start);
            yield return new ImageBatch(
                batch.Images.Narrow(0, start, length),
                batch.Labels?.Narrow(0, start, length).To(Classifier.Head.Weight.Device, DType.Int64));
        }
    }

    private Tensor Prepare(Tensor images) => FashionMnistImages.Canonicalize(images).To(Classifier.Head.Weight.Device);

    private static FeatureStatistics ComputeStatistics(FashionMnistClassifier classifier, IImageDataset images, int count, int batchSize)
    {
        RequireGrey(images);
        using var accumulator = new FeatureStatisticsAccumulator(FashionMnistClassifier.FeatureDimension);
        using var noGrad = new NoGradScope();
        int[] indices = new int[Math.Max(1, Math.Min(batchSize, count))];
        for (int start = 0; start < count; start += batchSize)
        {
            using var scope = new TensorScope();
            int n = Math.Min(batchSize, count - start);
            for (int i = 0; i < n; i++)
            {
                indices[i] = start + i;
            }

            ImageBatch batch = images.ReadBatch(indices.AsSpan(0, n));
            Tensor canonical = FashionMnistImages.Canonicalize(batch.Images).To(classifier.Head.Weight.Device);
            accumulator.Add(classifier.Features(canonical));
        }

        return accumulator.ToStatistics();
    }

    private static void RequireGrey(IImageDataset images)
    {
        if (images.Channels != 1)
        {
            throw new ArgumentException($"Fashion-MNIST evaluation needs grey (1-channel) images; the dataset has {images.Channels} channels.", nameof(images));
        }
    }

    /// <summary>Reads images 0..count−1 of a dataset in batches (created lazily, so the consumer's scope frees them).</summary>
    private static IEnumerable<ImageBatch> ReadAll(IImageDataset images, int count, int batchSize)
    {
        RequireGrey(images);
        return ReadAllIterator(images, count, batchSize);
    }

    private static IEnumerable<ImageBatch> ReadAllIterator(IImageDataset images, int count, int batchSize)
    {
        int[] indices = new int[Math.Max(1, Math.Min(batchSize, count))];
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            for (int i = 0; i < n; i++)
            {
                indices[i] = start + i;
            }

            yield return images.ReadBatch(indices.AsSpan(0, n));
        }
    }
}
