using DiffusionCore.Torch;

namespace DiffusionCore.Denoisers;

/// <summary>
/// VE preconditioning (Karras et al. 2022, Table 1 "VE"; Song et al. 2021 NCSN++): <c>c_skip = 1</c>,
/// <c>c_out = σ</c>, <c>c_in = 1</c>, <c>c_noise = ln(σ/2)</c>; σ ∈ [0.02, 100].
/// </summary>
public sealed class VePreconditioning : Preconditioning
{
    private readonly double _sigmaMin;
    private readonly double _sigmaMax;

    /// <summary>Creates it for σ ∈ [<paramref name="sigmaMin"/>, <paramref name="sigmaMax"/>] (EDM: [0.02, 100]).</summary>
    public VePreconditioning(double sigmaMin = 0.02, double sigmaMax = 100)
    {
        if (!(sigmaMin > 0) || !(sigmaMax > sigmaMin)) throw new ArgumentOutOfRangeException(nameof(sigmaMin), $"Need 0 < σ_min < σ_max; got {sigmaMin}, {sigmaMax}.");
        _sigmaMin = sigmaMin;
        _sigmaMax = sigmaMax;
    }

    /// <inheritdoc />
    public override double SigmaMin => _sigmaMin;

    /// <inheritdoc />
    public override double SigmaMax => _sigmaMax;

    /// <inheritdoc />
    public override PreconditioningCoefficients Coefficients(Tensor sigma)
    {
        ValidateSigma(sigma);
        using var scope = new TensorScope();
        Tensor cSkip = sigma.OnesLike();
        Tensor cOut = sigma.Clone();
        Tensor cIn = sigma.OnesLike();
        Tensor cNoise = (sigma * 0.5).Log();
        return new PreconditioningCoefficients(cSkip.MoveToOuterScope(), cOut.MoveToOuterScope(), cIn.MoveToOuterScope(), cNoise.MoveToOuterScope());
    }
}
