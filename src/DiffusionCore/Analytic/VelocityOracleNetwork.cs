using DiffusionCore.Torch;

namespace DiffusionCore.Analytic;

/// <summary>
/// An exact rectified-flow velocity "network" F(x_t; c_noise) built from a <see cref="GaussianMixture"/>: for the
/// path point <c>x_t</c> and the noise label <c>c_noise = timeScale·t</c> it returns the closed-form
/// <see cref="GaussianMixture.Velocity"/> <c>E[ε − y | x_t]</c> (Esser et al. 2024, Eq. 1–3). Wrapped by
/// <see cref="Denoisers.PreconditionedDenoiser.FlowMatching"/> with the same time scale it gives back the mixture's
/// denoiser: the oracle for flow-matching pipelines, independent of the σ-form conversion. Conditioning is ignored.
/// Does not own the mixture.
/// </summary>
public sealed class VelocityOracleNetwork : IDiffusionNetwork
{
    private readonly GaussianMixture _mixture;

    /// <summary>Creates the network; <paramref name="timeScale"/> must match the flow preconditioning's.</summary>
    public VelocityOracleNetwork(GaussianMixture mixture, double timeScale = 1)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        if (!(timeScale > 0) || !double.IsFinite(timeScale)) throw new ArgumentOutOfRangeException(nameof(timeScale), timeScale, "The time scale must be positive and finite.");
        _mixture = mixture;
        TimeScale = timeScale;
    }

    /// <summary>The factor between t and the noise label.</summary>
    public double TimeScale { get; }

    /// <inheritdoc />
    public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(noiseLabels);
        using var scope = new TensorScope();
        Tensor t = noiseLabels.To(DType.Float64) / TimeScale;
        return _mixture.Velocity(input, t).To(input.DType).MoveToOuterScope();
    }
}
