using DiffusionCore.Torch;

namespace DiffusionCore.Denoisers;

/// <summary>
/// The rectified-flow / flow-matching parameterisation (Liu et al. 2023; Lipman et al. 2023; Esser et al. 2024,
/// "SD3", Sect. 2 and Eq. 1–3) as a preconditioning: a network F(x_t; t) trained to predict the velocity
/// <c>v = ε − y</c> of the linear path <c>x_t = (1 − t)·y + t·ε</c>. In σ form (<c>σ = t/(1 − t)</c>,
/// <c>x_t = x/(1 + σ)</c>, see <see cref="Schedules.RectifiedFlowTime"/>) the clean estimate
/// <c>ŷ = x_t − t·F(x_t; t)</c> is Karras et al. 2022, Eq. 7 with <c>c_skip = c_in = 1/(1 + σ)</c>,
/// <c>c_out = −σ/(1 + σ)</c> and <c>c_noise = TimeScale·t</c>. Wrapped by <see cref="PreconditionedDenoiser"/>, any
/// velocity network becomes an <see cref="IDenoiser"/> that every solver and guidance decorator drives.
/// </summary>
public sealed class FlowMatchingPreconditioning : Preconditioning
{
    /// <summary>Creates it; the network sees <c>c_noise = timeScale·t</c> (1 by default; SD3's DiT uses 1000).</summary>
    public FlowMatchingPreconditioning(double timeScale = 1)
    {
        if (!(timeScale > 0) || !double.IsFinite(timeScale))
        {
            throw new ArgumentOutOfRangeException(nameof(timeScale), timeScale, "The time scale must be positive and finite (1 = t itself; SD3: 1000).");
        }

        TimeScale = timeScale;
    }

    /// <summary>The factor between t and the network's noise label.</summary>
    public double TimeScale { get; }

    /// <inheritdoc />
    public override double SigmaMin => 0;

    /// <inheritdoc />
    public override double SigmaMax => double.PositiveInfinity;

    /// <summary>The network's noise label for rectified-flow times t <c>[B]</c>: <c>TimeScale·t</c>.</summary>
    public Tensor NoiseLabels(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return t * TimeScale;
    }

    /// <inheritdoc />
    public override PreconditioningCoefficients Coefficients(Tensor sigma)
    {
        ValidateSigma(sigma);
        using var scope = new TensorScope();
        Tensor cIn = (sigma + 1).Reciprocal();          // 1 − t
        Tensor t = sigma * cIn;                         // σ/(1 + σ)
        Tensor cSkip = cIn.Alias();
        Tensor cOut = t.Neg();
        Tensor cNoise = NoiseLabels(t);
        return new PreconditioningCoefficients(cSkip.MoveToOuterScope(), cOut.MoveToOuterScope(), cIn.MoveToOuterScope(), cNoise.MoveToOuterScope());
    }
}
