using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Denoisers;

/// <summary>
/// VP preconditioning (Karras et al. 2022, Table 1 "VP"; Song et al. 2021 DDPM++): an ε-prediction network with
/// <c>c_skip = 1</c>, <c>c_out = −σ</c>, <c>c_in = 1/√(σ²+1)</c>, <c>c_noise = (M−1)·t(σ)</c>, where
/// <c>t(σ)</c> inverts the VP noise level; σ ∈ [σ(ε_t), σ(1)].
/// </summary>
public sealed class VpPreconditioning : Preconditioning
{
    /// <summary>Creates it with the EDM constants by default (β_d = 19.9, β_min = 0.1, M = 1000, ε_t = 10⁻⁵).</summary>
    public VpPreconditioning(VpNoiseLevel? noiseLevel = null, int m = 1000, double epsilonT = 1e-5)
    {
        NoiseLevel = noiseLevel ?? VpNoiseLevel.Default;
        NoiseLevel.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 2);
        if (!(epsilonT > 0 && epsilonT < 1)) throw new ArgumentOutOfRangeException(nameof(epsilonT), epsilonT, "ε_t must be in (0, 1) (EDM: 10⁻⁵).");
        M = m;
        EpsilonT = epsilonT;
    }

    /// <summary>The VP σ(t) constants.</summary>
    public VpNoiseLevel NoiseLevel { get; }

    /// <summary>M, the scale of the time label (1000).</summary>
    public int M { get; }

    /// <summary>ε_t, the smallest training time (10⁻⁵).</summary>
    public double EpsilonT { get; }

    /// <inheritdoc />
    public override double SigmaMin => NoiseLevel.Sigma(EpsilonT);

    /// <inheritdoc />
    public override double SigmaMax => NoiseLevel.Sigma(1);

    /// <inheritdoc />
    public override PreconditioningCoefficients Coefficients(Tensor sigma)
    {
        ValidateSigma(sigma);
        using var scope = new TensorScope();
        return EpsilonFamily(sigma, NoiseLevel.Time(sigma) * (M - 1));
    }
}
