using DiffusionCore.Torch;

namespace DiffusionCore.Evaluation;

/// <summary>
/// Accumulates the mean and covariance of feature vectors batch by batch in float64, so the statistics of any number
/// of images (e.g. 70,000) are computed without holding their features together. Each batch's own mean and centred
/// scatter matrix are merged into the running ones with the pairwise update of Chan, Golub &amp; LeVeque (1979):
/// M₂ ← M₂ + M₂,b + δδᵀ·n·n_b/(n + n_b), δ = μ_b − μ, which avoids the cancellation of the naive Σxxᵀ − nμμᵀ.
/// The result feeds the Fréchet distance (Heusel et al. 2017, eq. 6).
/// </summary>
public sealed class FeatureStatisticsAccumulator : IDisposable
{
    private Tensor? _mean;
    private Tensor? _scatter;
    private bool _disposed;

    /// <summary>Creates an empty accumulator for feature vectors of <paramref name="dimension"/> entries.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is not positive.</exception>
    public FeatureStatisticsAccumulator(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Dimension = dimension;
    }

    /// <summary>The feature dimension d.</summary>
    public int Dimension { get; }

    /// <summary>The number of feature vectors added so far.</summary>
    public long Count { get; private set; }

    /// <summary>Adds a batch of feature vectors [N, d] (any floating dtype or device; accumulated in float64).</summary>
    /// <exception cref="ArgumentException">The batch is not [N, d] or holds non-finite values.</exception>
    public void Add(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (features.Dim != 2 || features.Size(1) != Dimension)
        {
            throw new ArgumentException(
                $"Expected features of shape [N, {Dimension}]; got [{string.Join(", ", features.Shape)}].", nameof(features));
        }

        long n = features.Size(0);
        if (n == 0)
        {
            return;
        }

        using var scope = new TensorScope();
        Tensor x = features.To(DType.Float64);
        if (!x.IsFinite().All().ToBoolean())
        {
            throw new ArgumentException("The features contain NaN or infinite values.", nameof(features));
        }

        Tensor batchMean = x.Mean([0]);
        Tensor centred = x - batchMean;
        Tensor batchScatter = centred.Transpose(0, 1).MatMul(centred);
        if (_mean is null || _scatter is null)
        {
            _mean = batchMean.DetachFromScope();
            _scatter = batchScatter.DetachFromScope();
            Count = n;
            return;
        }

        long total = Count + n;
        Tensor delta = batchMean - _mean;
        Tensor outer = delta.Unsqueeze(1).MatMul(delta.Unsqueeze(0));
        _scatter.AddInPlace(batchScatter).AddInPlace(outer, (double)Count * n / total);
        _mean.AddInPlace(delta, (double)n / total);
        Count = total;
    }

    /// <summary>
    /// The statistics of everything added so far: μ and the unbiased covariance M₂/(n − 1). The accumulator stays
    /// usable; the returned instance is independent of it and owned by the caller.
    /// </summary>
    /// <exception cref="InvalidOperationException">Fewer than two vectors were added (the covariance is undefined).</exception>
    public FeatureStatistics ToStatistics()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Count < 2 || _mean is null || _scatter is null)
        {
            throw new InvalidOperationException(
                $"Feature statistics need at least 2 feature vectors for a covariance; {Count} were added.");
        }

        using var scope = new TensorScope();
        Tensor covariance = _scatter / (Count - 1.0);
        // Symmetrise away the rounding asymmetry of the running updates.
        covariance = (covariance + covariance.Transpose(0, 1)) * 0.5;
        return new FeatureStatistics(_mean, covariance, Count);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        _mean?.Dispose();
        _scatter?.Dispose();
        _mean = null;
        _scatter = null;
    }
}
