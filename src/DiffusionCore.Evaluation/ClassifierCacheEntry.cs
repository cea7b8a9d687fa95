using System.Globalization;
using DiffusionCore.Torch;

namespace DiffusionCore.Evaluation;

/// <summary>
/// The metadata stored with a cached classifier (safetensors <c>__metadata__</c>): what was trained, how, on how many
/// images, and how well it did. A cached file is used only when its recipe equals the requested one.
/// </summary>
internal sealed record ClassifierCacheEntry(
    int ArchitectureVersion, ulong Seed, int Epochs, int BatchSize, double LearningRate, int TrainCount,
    double TestAccuracy, int TestCount, double TrainingSeconds)
{
    private const string ArchitectureName = "DiffusionCore.Evaluation.FashionMnistClassifier";

    /// <summary>The metadata strings written to the file.</summary>
    public Dictionary<string, string> ToMetadata() => new(StringComparer.Ordinal)
    {
        ["architecture"] = ArchitectureName,
        ["architecture_version"] = ArchitectureVersion.ToString(CultureInfo.InvariantCulture),
        ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
        ["epochs"] = Epochs.ToString(CultureInfo.InvariantCulture),
        ["batch_size"] = BatchSize.ToString(CultureInfo.InvariantCulture),
        ["learning_rate"] = LearningRate.ToString("R", CultureInfo.InvariantCulture),
        ["train_count"] = TrainCount.ToString(CultureInfo.InvariantCulture),
        ["test_accuracy"] = TestAccuracy.ToString("R", CultureInfo.InvariantCulture),
        ["test_count"] = TestCount.ToString(CultureInfo.InvariantCulture),
        ["training_seconds"] = TrainingSeconds.ToString("F1", CultureInfo.InvariantCulture),
        ["torch_version"] = Torch.Torch.Version,
    };

    /// <summary>
    /// Why the metadata of a cached file does not describe the classifier that <paramref name="options"/> and
    /// <paramref name="trainCount"/> ask for (null when it does); <paramref name="entry"/> is the parsed metadata.
    /// </summary>
    public static string? Mismatch(
        IReadOnlyDictionary<string, string> metadata, ClassifierTrainingOptions options, int trainCount, out ClassifierCacheEntry? entry)
    {
        entry = null;
        if (!metadata.TryGetValue("architecture", out string? architecture) || architecture != ArchitectureName)
        {
            return "it does not hold a FashionMnistClassifier";
        }

        if (!TryInt(metadata, "architecture_version", out int version) || !ulong.TryParse(Get(metadata, "seed"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed) ||
            !TryInt(metadata, "epochs", out int epochs) || !TryInt(metadata, "batch_size", out int batchSize) ||
            !TryDouble(metadata, "learning_rate", out double learningRate) || !TryInt(metadata, "train_count", out int count) ||
            !TryDouble(metadata, "test_accuracy", out double accuracy) || !TryInt(metadata, "test_count", out int testCount) ||
            !TryDouble(metadata, "training_seconds", out double seconds))
        {
            return "its metadata is incomplete or unreadable";
        }

        entry = new ClassifierCacheEntry(version, seed, epochs, batchSize, learningRate, count, accuracy, testCount, seconds);
        if (version != FashionMnistClassifier.ArchitectureVersion)
        {
            return $"it was trained for architecture version {version}, this is version {FashionMnistClassifier.ArchitectureVersion}";
        }

        if (seed != options.Seed || epochs != options.Epochs || batchSize != options.BatchSize ||
            learningRate.ToString("R", CultureInfo.InvariantCulture) != options.LearningRate.ToString("R", CultureInfo.InvariantCulture))
        {
            return $"it was trained with seed {seed}, {epochs} epochs, batch {batchSize}, learning rate {learningRate}; " +
                   $"requested seed {options.Seed}, {options.Epochs} epochs, batch {options.BatchSize}, learning rate {options.LearningRate}";
        }

        if (count != trainCount)
        {
            return $"it was trained on {count} images, the training set has {trainCount}";
        }

        return accuracy is >= 0 and <= 1 ? null : $"its recorded test accuracy {accuracy} is not a fraction";
    }

    private static string? Get(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out string? value) ? value : null;

    private static bool TryInt(IReadOnlyDictionary<string, string> metadata, string key, out int value) =>
        int.TryParse(Get(metadata, key), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    private static bool TryDouble(IReadOnlyDictionary<string, string> metadata, string key, out double value) =>
        double.TryParse(Get(metadata, key), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
