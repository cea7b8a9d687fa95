using DiffusionCore.Torch;

namespace DiffusionCore.Denoisers;

/// <summary>
/// EDM preconditioning (Karras et al. 2022, Table 1 "EDM" and Eq. 7): <c>c_skip = σ_d²/(σ²+σ_d²)</c>,
/// <c>c_out = σ·σ_d/√(σ²+σ_d²)</c>, <c>c_in = 1/√(σ²+σ_d²)</c>, <c>c_noise = ln(σ)/4</c>, any σ in (0, ∞).
/// </summary>
public sealed class EdmPreconditioning : Preconditioning
{
    /// <summary>Creates it for data of standard deviation <paramref name="sigmaData"/> (σ_d = 0.5).</summary>
    public EdmPreconditioning(double sigmaData = 0.5)
    {
        if (!(sigmaData > 0) || !double.IsFinite(sigmaData)) throw new ArgumentOutOfRangeException(nameof(sigmaData), sigmaData, "σ_data must be positive (EDM: 0.5).");
        SigmaData = sigmaData;
    }

    /// <summary>σ_data, the standard deviation of the training data.</summary>
    public double SigmaData { get; }

    /// <inheritdoc />
    public override double SigmaMin => 0;

    /// <inheritdoc />
    public override double SigmaMax => double.PositiveInfinity;

    /// <inheritdoc />
    public override PreconditioningCoefficients Coefficients(Tensor sigma)
    {
        ValidateSigma(sigma);
        double sd2 = SigmaData * SigmaData;
        using var scope = new TensorScope();
        Tensor total = sigma.Square() + sd2;
        Tensor cIn = total.Rsqrt();
        Tensor cSkip = total.RDiv(sd2);
        Tensor cOut = sigma * SigmaData * cIn;
        Tensor cNoise = sigma.Log() / 4;
        return new PreconditioningCoefficients(cSkip.MoveToOuterScope(), cOut.MoveToOuterScope(), cIn.MoveToOuterScope(), cNoise.MoveToOuterScope());
    }
}
