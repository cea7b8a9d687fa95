using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Analytic;

/// <summary>
/// An exact discrete-time ε-prediction "network" built from an ideal denoiser (e.g. a <see cref="GaussianMixture"/>):
/// for the VP-scaled input <c>z = x/√(σ²+1)</c> and timestep t it returns <c>ε̂ = (x − D(x; σ_t))/σ_t</c> (Ho et al.
/// 2020, Eq. 14 in σ form). Wrapped by <see cref="Denoisers.PreconditionedDenoiser.EpsilonPrediction"/> it gives back
/// D: an oracle for DDIM/DDPM pipelines of ε-models such as DiT.
/// </summary>
public sealed class EpsilonOracleNetwork : IDiffusionNetwork
{
    private readonly IDenoiser _oracle;
    private readonly DiscreteSchedule _schedule;

    /// <summary>Creates the network from an ideal denoiser and the schedule that maps timesteps to σ.</summary>
    public EpsilonOracleNetwork(IDenoiser oracle, DiscreteSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(oracle);
        ArgumentNullException.ThrowIfNull(schedule);
        _oracle = oracle;
        _schedule = schedule;
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(noiseLabels);
        using var scope = new TensorScope();
        int rank = input.Dim;
        Tensor sigma = _schedule.TimestepToSigma(noiseLabels);
        Tensor s = PerSample.Broadcastable(sigma, rank);
        Tensor x = input.To(DType.Float64) * (s.Square() + 1).Sqrt();
        Tensor d = _oracle.Denoise(x, sigma, conditioning);
        return ((x - d) / s).To(input.DType).MoveToOuterScope();
    }
}
