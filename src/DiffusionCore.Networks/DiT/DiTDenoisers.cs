using DiffusionCore.Denoisers;
using DiffusionCore.Schedules;

namespace DiffusionCore.Networks.DiT;

/// <summary>
/// Adapts a <see cref="DiffusionTransformer"/> to <see cref="IDenoiser"/> for the EDM-style samplers. DiT is a
/// discrete-time ε-prediction network trained with the linear β schedule 1e-4 → 0.02 over 1000 steps (Peebles &amp; Xie
/// 2023, §4 "Diffusion"), so <c>D(x; σ) = x − σ·ε̂(x/√(σ²+1); t(σ))</c> (Karras et al. 2022, Eq. 7 with the ε row of
/// <see cref="EpsilonPredictionPreconditioning"/>); with learned Σ the variance channels are discarded.
/// </summary>
public static class DiTDenoisers
{
    /// <summary>
    /// <c>PreconditionedDenoiser.EpsilonPrediction(network, schedule)</c> with
    /// <see cref="PreconditionedDenoiserOptions.DiscardLearnedVariance"/> set when the network learns Σ.
    /// </summary>
    /// <param name="network">The DiT.</param>
    /// <param name="schedule">The training schedule; <c>DiscreteSchedule.Linear(1000, 1e-4, 0.02)</c> when null.</param>
    /// <param name="rounding">Whether fractional timesteps are passed to the network (interpolated) or rounded to trained ones.</param>
    public static PreconditionedDenoiser EpsilonPrediction(
        DiffusionTransformer network, DiscreteSchedule? schedule = null, TimestepRounding rounding = TimestepRounding.Interpolated)
    {
        ArgumentNullException.ThrowIfNull(network);
        return PreconditionedDenoiser.EpsilonPrediction(
            network,
            schedule ?? DiscreteSchedule.Linear(1000, 1e-4, 0.02),
            rounding,
            new PreconditionedDenoiserOptions { DiscardLearnedVariance = network.Options.LearnSigma });
    }
}
