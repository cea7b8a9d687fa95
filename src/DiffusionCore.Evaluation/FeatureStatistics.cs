using System.Globalization;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Evaluation;

/// <summary>
/// The Gaussian summary of a set of feature vectors that the Fréchet distance compares (Heusel et al. 2017, eq. 6):
/// the mean μ [d] and the unbiased covariance Σ [d, d] (denominator n − 1, as numpy.cov and pytorch-fid use), both
/// float64, and the number n of vectors. Build one from batches with <see cref="FeatureStatisticsAccumulator"/>.
/// The instance owns its two tensors; dispose it to free them.
/// </summary>
public sealed class FeatureStatistics : IDisposable
{
    private const string MeanKey = "mu";
    private const string CovarianceKey = "sigma";
    private const string CountKey = "count";

    /// <summary>Wraps a mean and covariance; both are converted to float64 and owned by the new instance.</summary>
    /// <param name="mean">μ, shape [d].</param>
    /// <param name="covariance">Σ, shape [d, d] (symmetric positive semi-definite).</param>
    /// <param name="count">How many feature vectors the statistics summarise (at least 2).</param>
    /// <exception cref="ArgumentException">The shapes do not agree or contain non-finite values.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 2.</exception>
    public FeatureStatistics(Tensor mean, Tensor covariance, long count)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        if (mean.Dim != 1 || covariance.Dim != 2 || covariance.Size(0) != mean.Size(0) || covariance.Size(1) != mean.Size(0))
        {
            throw new ArgumentException(
                $"Feature statistics need a mean [d] and a covariance [d, d]; got [{string.Join(", ", mean.Shape)}] and " +
                $"[{string.Join(", ", covariance.Shape)}].", nameof(covariance));
        }

        using (var scope = new TensorScope())
        {
            Mean = mean.To(null, DType.Float64, copy: true).DetachFromScope();
            Covariance = covariance.To(null, DType.Float64, copy: true).DetachFromScope();
            if (!Mean.IsFinite().All().ToBoolean() || !Covariance.IsFinite().All().ToBoolean())
            {
                Mean.Dispose();
                Covariance.Dispose();
                throw new ArgumentException("Feature statistics contain NaN or infinite values.", nameof(mean));
            }
        }

        Count = count;
    }

    /// <summary>The feature mean μ, float64 [d].</summary>
    public Tensor Mean { get; }

    /// <summary>The unbiased feature covariance Σ, float64 [d, d].</summary>
    public Tensor Covariance { get; }

    /// <summary>The number of feature vectors summarised.</summary>
    public long Count { get; }

    /// <summary>The feature dimension d.</summary>
    public int Dimension => (int)Mean.Size(0);

    /// <summary>
    /// Writes μ and Σ to a safetensors file (atomically) with the count and <paramref name="metadata"/> in its
    /// <c>__metadata__</c>.
    /// </summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
        {
            foreach (KeyValuePair<string, string> kv in metadata)
            {
                meta[kv.Key] = kv.Value;
            }
        }

        meta[CountKey] = Count.ToString(CultureInfo.InvariantCulture);
        SafeTensors.Save(path, [new(MeanKey, Mean), new(CovarianceKey, Covariance)], meta);
    }

    /// <summary>Reads statistics written by <see cref="Save"/>, with the file's metadata.</summary>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file.</exception>
    /// <exception cref="InvalidDataException">The file is valid safetensors but does not hold feature statistics.</exception>
    public static (FeatureStatistics Statistics, IReadOnlyDictionary<string, string> Metadata) Load(string path)
    {
        using var scope = new TensorScope();
        using SafeTensorsContents contents = SafeTensors.Load(path);
        if (!contents.Tensors.TryGetValue(MeanKey, out Tensor? mean) ||
            !contents.Tensors.TryGetValue(CovarianceKey, out Tensor? covariance) ||
            !contents.Metadata.TryGetValue(CountKey, out string? countText) ||
            !long.TryParse(countText, NumberStyles.Integer, CultureInfo.InvariantCulture, out long count))
        {
            throw new InvalidDataException($"'{path}' does not hold feature statistics (tensors '{MeanKey}', '{CovarianceKey}' and metadata '{CountKey}').");
        }

        try
        {
            return (new FeatureStatistics(mean, covariance, count), contents.Metadata);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{path}' holds invalid feature statistics: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Mean.Dispose();
        Covariance.Dispose();
    }
}
