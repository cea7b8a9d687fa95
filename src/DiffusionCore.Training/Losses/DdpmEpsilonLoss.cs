using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>
/// The DDPM ε-prediction loss L_simple (Ho et al. 2020, Algorithm 1 and Eq. 14): <c>t ~ U{0, …, T−1}</c>,
/// per sample the mean over (masked) elements of <c>(ε − ε̂(x_t, t))²</c>. A network with learned variance (2C output
/// channels) is trained on its first C channels only.
/// </summary>
public sealed class DdpmEpsilonLoss : DiscreteLossBase
{
    /// <summary>Creates it for an ε-network and its schedule (DDPM/DiT: linear β 10⁻⁴ → 0.02 over 1000 steps).</summary>
    public DdpmEpsilonLoss(IDiffusionNetwork network, DiscreteSchedule schedule)
        : base(network, schedule)
    {
    }

    private protected override Tensor Reduce(Tensor y, Tensor eps, Tensor xt, Tensor timesteps, Tensor output, Tensor? mask)
    {
        (Tensor epsHat, _) = DiscreteDiffusionTables.Split(output, y.Size(1));
        return LossReduction.MeanPerSample((epsHat - eps).Square(), mask);
    }
}
