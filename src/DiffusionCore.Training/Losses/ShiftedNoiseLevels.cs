using DiffusionCore.NoiseLevels;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>
/// A training noise-level distribution shifted toward more noise for a higher resolution (resolution transfer, Berrada
/// et al. 2024; SD3's shift, Esser et al. 2024, Eq. 23; docs/recipes.md §6): every σ drawn from the inner distribution
/// becomes <c>s·σ</c>, which is <c>t' = s·t/(1 + (s−1)·t)</c> in rectified-flow time (<see cref="ResolutionShift"/>).
/// For a log-normal p_train this is the same as adding ln s to P_mean. Use
/// <see cref="ResolutionShift.ForResolution"/> for s and <see cref="ResolutionShift.ShiftSigmas"/> for the sampling grid.
/// </summary>
public sealed class ShiftedNoiseLevels : INoiseLevelDistribution
{
    private readonly INoiseLevelDistribution _inner;

    /// <summary>Wraps <paramref name="inner"/> (σ values; not flow times t) with the shift <paramref name="shift"/> &gt; 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The shift is not positive and finite.</exception>
    public ShiftedNoiseLevels(INoiseLevelDistribution inner, double shift)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ResolutionShift.ShiftSigma(1, shift); // validates s with ResolutionShift's message
        _inner = inner;
        Shift = shift;
    }

    /// <summary>The shift s (σ' = s·σ).</summary>
    public double Shift { get; }

    /// <inheritdoc />
    public Tensor Sample(long batchSize, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        using var scope = new TensorScope();
        return _inner.Sample(batchSize, generator, dtype, device).Mul(Shift).MoveToOuterScope();
    }
}
