using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiffusionCore.Evaluation;

/// <summary>Options of <see cref="FashionMnistEvaluator"/>: where the classifier and reference statistics are cached, how the classifier is trained.</summary>
public sealed record FashionMnistEvaluatorOptions
{
    /// <summary>
    /// The folder for the cached classifier weights and the test-set feature statistics; null for
    /// <see cref="EvaluationCache.DefaultDirectory"/> (<c>$DIFFUSIONCORE_CACHE_DIR</c>, else
    /// <c>$XDG_CACHE_HOME/diffusioncore/evaluation</c>, else <c>~/.cache/diffusioncore/evaluation</c>).
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>How the classifier is trained when no valid cached one exists.</summary>
    public ClassifierTrainingOptions Training { get; init; } = new();

    /// <summary>Images per forward pass when extracting features (memory only; results do not depend on it).</summary>
    public int EvaluationBatchSize { get; init; } = 500;

    /// <summary>Receives progress (training epochs, cache hits and misses, why a cache file was rejected).</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Training);
        ArgumentNullException.ThrowIfNull(Logger);
        Training.Validate();
        if (CacheDirectory is not null && string.IsNullOrWhiteSpace(CacheDirectory))
        {
            throw new ArgumentException("CacheDirectory must be a folder path, or null for the default cache folder.", nameof(CacheDirectory));
        }

        if (EvaluationBatchSize is < 1 or > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(EvaluationBatchSize), EvaluationBatchSize, "EvaluationBatchSize must be between 1 and 65536.");
        }
    }
}
