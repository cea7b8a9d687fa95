using DiffusionCore.Torch;

namespace DiffusionCore.Denoisers;

/// <summary>
/// A network preconditioning: the per-sample coefficients of
/// <c>D(x; σ) = c_skip(σ)·x + c_out(σ)·F(c_in(σ)·x; c_noise(σ))</c> (Karras et al. 2022, Eq. 7 and Table 1) and the σ
/// range the network was trained on. Immutable and stateless.
/// </summary>
public abstract class Preconditioning
{
    /// <summary>The smallest noise level the network supports (Karras et al. 2022, Table 1, σ_min).</summary>
    public abstract double SigmaMin { get; }

    /// <summary>The largest noise level the network supports (Karras et al. 2022, Table 1, σ_max).</summary>
    public abstract double SigmaMax { get; }

    /// <summary>
    /// The coefficients for one σ per sample. The result tensors have σ's shape <c>[B]</c>, dtype and device.
    /// </summary>
    public abstract PreconditioningCoefficients Coefficients(Tensor sigma);

    /// <summary>
    /// The nearest noise level the network can represent (identity except for discrete networks such as iDDPM, whose
    /// levels are a finite table; EDM's <c>round_sigma</c>).
    /// </summary>
    public virtual double RoundSigma(double sigma) => sigma;

    /// <summary>
    /// The coefficients shared by the ε-predicting parameterisations (VP, iDDPM and discrete ε-models; Karras et al. 2022,
    /// Table 1): c_skip = 1, c_out = −σ, c_in = 1/√(σ²+1), with the given c_noise. Call it inside a
    /// <see cref="TensorScope"/>: all four tensors are moved to the enclosing scope.
    /// </summary>
    protected static PreconditioningCoefficients EpsilonFamily(Tensor sigma, Tensor cNoise)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        ArgumentNullException.ThrowIfNull(cNoise);
        Tensor cSkip = sigma.OnesLike();
        Tensor cOut = sigma.Neg();
        Tensor cIn = (sigma.Square() + 1).Rsqrt();
        return new PreconditioningCoefficients(cSkip.MoveToOuterScope(), cOut.MoveToOuterScope(), cIn.MoveToOuterScope(), cNoise.MoveToOuterScope());
    }

    /// <summary>Throws unless σ is a non-empty floating-point vector.</summary>
    protected static void ValidateSigma(Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        if (sigma.Dim != 1 || !sigma.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"σ must be a floating-point vector [B]; got {sigma}.", nameof(sigma));
        }
    }
}

/// <summary>
/// The four per-sample coefficients of a preconditioning (Karras et al. 2022, Eq. 7), each <c>[B]</c>.
/// </summary>
/// <param name="CSkip">c_skip(σ), the skip weight of the noisy input.</param>
/// <param name="COut">c_out(σ), the scale of the network output.</param>
/// <param name="CIn">c_in(σ), the scale of the network input.</param>
/// <param name="CNoise">c_noise(σ), the noise label given to the network.</param>
public sealed record PreconditioningCoefficients(Tensor CSkip, Tensor COut, Tensor CIn, Tensor CNoise);
