using System.Diagnostics;
using System.Security.Cryptography;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Data;
using Microsoft.Extensions.Logging;

namespace DiffusionCore.Evaluation;

/// <summary>
/// Load-or-train for the cached classifier and the cached reference statistics. A cache file that is missing, corrupt
/// (not safetensors, truncated, wrong tensors) or stale (another architecture version or training recipe, or reference
/// statistics of another classifier) is replaced, never trusted and never fatal.
/// </summary>
internal static class ClassifierStore
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The cached classifier for the requested recipe, trained and cached first when needed.</summary>
    public static (FashionMnistClassifier Classifier, ClassifierCacheEntry Entry, bool Trained) LoadOrTrain(
        string path, IImageDataset train, IImageDataset test, FashionMnistEvaluatorOptions options)
    {
        ILogger logger = options.Logger;
        using CacheLock cacheLock = CacheLock.Acquire(path, LockTimeout);
        string reason = "no cached classifier";
        if (File.Exists(path))
        {
            (FashionMnistClassifier? loaded, ClassifierCacheEntry? entry, string? rejection) = TryLoad(path, options.Training, train.Count);
            if (loaded is not null && entry is not null)
            {
                EvaluationLog.ClassifierLoaded(logger, path, entry.TestAccuracy);
                return (loaded, entry, false);
            }

            reason = $"the cached file was rejected: {rejection}";
            EvaluationLog.CacheRejected(logger, path, rejection!);
        }

        EvaluationLog.ClassifierTraining(logger, reason, path);
        var clock = Stopwatch.StartNew();
        FashionMnistClassifier classifier = FashionMnistClassifierTrainer.Train(train, options.Training, logger);
        try
        {
            double seconds = clock.Elapsed.TotalSeconds;
            double accuracy = FashionMnistClassifierTrainer.MeasureAccuracy(classifier, test, options.EvaluationBatchSize);
            EvaluationLog.ClassifierTrained(logger, seconds, accuracy);
            ClassifierTrainingOptions t = options.Training;
            var newEntry = new ClassifierCacheEntry(
                FashionMnistClassifier.ArchitectureVersion, t.Seed, t.Epochs, t.BatchSize, t.LearningRate, train.Count, accuracy, test.Count, seconds);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            classifier.SaveStateDict(path, newEntry.ToMetadata());
            return (classifier, newEntry, true);
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
    }

    /// <summary>The cached reference statistics when they belong to the classifier with <paramref name="classifierHash"/>; else computed and cached.</summary>
    public static FeatureStatistics LoadOrCompute(
        string path, string classifierHash, IImageDataset reference, Func<IImageDataset, FeatureStatistics> compute, ILogger logger)
    {
        using CacheLock cacheLock = CacheLock.Acquire(path, LockTimeout);
        if (File.Exists(path))
        {
            string rejection;
            try
            {
                (FeatureStatistics stats, IReadOnlyDictionary<string, string> metadata) = FeatureStatistics.Load(path);
                if (metadata.TryGetValue("classifier_sha256", out string? hash) && hash == classifierHash &&
                    stats.Count == reference.Count && stats.Dimension == FashionMnistClassifier.FeatureDimension)
                {
                    return stats;
                }

                stats.Dispose();
                rejection = "it was computed with another classifier or from another number of images";
            }
            catch (Exception e) when (IsCacheFault(e))
            {
                rejection = e.Message;
            }

            EvaluationLog.CacheRejected(logger, path, rejection);
        }

        FeatureStatistics computed = compute(reference);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        computed.Save(path, new Dictionary<string, string>(StringComparer.Ordinal) { ["classifier_sha256"] = classifierHash });
        EvaluationLog.ReferenceComputed(logger, computed.Count, path);
        return computed;
    }

    /// <summary>SHA-256 of a file's bytes, as lowercase hex: ties the reference statistics to the exact weights.</summary>
    public static string HashFile(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static (FashionMnistClassifier? Classifier, ClassifierCacheEntry? Entry, string? Rejection) TryLoad(
        string path, ClassifierTrainingOptions training, int trainCount)
    {
        try
        {
            IReadOnlyDictionary<string, string> metadata;
            using (SafeTensorsFile file = SafeTensorsFile.Open(path))
            {
                metadata = file.Metadata;
            }

            string? mismatch = ClassifierCacheEntry.Mismatch(metadata, training, trainCount, out ClassifierCacheEntry? entry);
            if (mismatch is not null)
            {
                return (null, null, "stale: " + mismatch);
            }

            using var generator = new Generator(training.Seed);
            var classifier = new FashionMnistClassifier(generator);
            try
            {
                classifier.LoadStateDict(path, strict: true);
                using var scope = new TensorScope();
                if (!classifier.Parameters().All(static p => p.IsFinite().All().ToBoolean()))
                {
                    throw new InvalidDataException("it holds NaN or infinite weights");
                }
            }
            catch
            {
                classifier.Dispose();
                throw;
            }

            classifier.Eval();
            return (classifier, entry, null);
        }
        catch (Exception e) when (IsCacheFault(e))
        {
            return (null, null, "corrupt: " + e.Message);
        }
    }

    /// <summary>Failures that mean "this cache file is unusable" rather than a bug or a bad argument.</summary>
    private static bool IsCacheFault(Exception e) =>
        e is SafeTensorsFormatException or StateDictLoadException or InvalidDataException or IOException
            or UnauthorizedAccessException or TorchException;
}
