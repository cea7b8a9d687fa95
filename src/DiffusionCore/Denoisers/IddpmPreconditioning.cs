using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Denoisers;

/// <summary>
/// iDDPM preconditioning (Karras et al. 2022, Table 1 "iDDPM"; Nichol and Dhariwal 2021, ADM): <c>c_skip = 1</c>,
/// <c>c_out = −σ</c>, <c>c_in = 1/√(σ²+1)</c>, <c>c_noise = M − 1 − argmin_j |u_j − σ|</c> over the u-table;
/// σ ∈ [u_{M−1}, u_0].
/// </summary>
public sealed class IddpmPreconditioning : Preconditioning
{
    /// <summary>Creates it over a u-table (M = 1000, C1 = 0.001, C2 = 0.008 by default).</summary>
    public IddpmPreconditioning(IddpmUTable? table = null) => Table = table ?? new IddpmUTable();

    /// <summary>The discrete noise levels u_j.</summary>
    public IddpmUTable Table { get; }

    /// <inheritdoc />
    public override double SigmaMin => Table.SigmaMin;

    /// <inheritdoc />
    public override double SigmaMax => Table.SigmaMax;

    /// <inheritdoc />
    public override double RoundSigma(double sigma) => Table.Round(sigma);

    /// <inheritdoc />
    public override PreconditioningCoefficients Coefficients(Tensor sigma)
    {
        ValidateSigma(sigma);
        using var scope = new TensorScope();
        return EpsilonFamily(sigma, Table.NearestIndex(sigma).RSub(Table.M - 1).To(sigma.DType));
    }
}
