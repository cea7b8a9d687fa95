using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Denoisers;

/// <summary>
/// The adapter for a discrete-time ε-prediction network (Ho et al. 2020; DiT) as a preconditioning: the network sees
/// the VP-scaled input <c>x/√(σ²+1)</c> and its timestep, and predicts ε, so <c>D(x; σ) = x − σ·ε̂</c>:
/// <c>c_skip = 1</c>, <c>c_out = −σ</c>, <c>c_in = 1/√(σ²+1)</c>, <c>c_noise = t(σ)</c> from a
/// <see cref="DiscreteSchedule"/> (Karras et al. 2022, Eq. 7 and Appendix C.2 with the iDDPM/VP row of Table 1).
/// </summary>
public sealed class EpsilonPredictionPreconditioning : Preconditioning
{
    /// <summary>Creates the adapter over a discrete schedule.</summary>
    public EpsilonPredictionPreconditioning(DiscreteSchedule schedule, TimestepRounding rounding = TimestepRounding.Interpolated)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        Schedule = schedule;
        Rounding = rounding;
    }

    /// <summary>The schedule that maps σ to the network's timestep.</summary>
    public DiscreteSchedule Schedule { get; }

    /// <summary>Whether fractional timesteps are passed or rounded to trained ones.</summary>
    public TimestepRounding Rounding { get; }

    /// <inheritdoc />
    public override double SigmaMin => Schedule.SigmaMin;

    /// <inheritdoc />
    public override double SigmaMax => Schedule.SigmaMax;

    /// <inheritdoc />
    public override double RoundSigma(double sigma) =>
        Rounding == TimestepRounding.Nearest ? Schedule.Sigmas[(int)Schedule.SigmaToTimestep(sigma, TimestepRounding.Nearest)] : sigma;

    /// <inheritdoc />
    public override PreconditioningCoefficients Coefficients(Tensor sigma)
    {
        ValidateSigma(sigma);
        using var scope = new TensorScope();
        return EpsilonFamily(sigma, Schedule.SigmaToTimestep(sigma, Rounding).To(sigma.DType));
    }
}
