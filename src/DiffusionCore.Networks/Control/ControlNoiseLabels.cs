using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Control;

/// <summary>Conversions from a network's noise labels c_noise to σ, for <see cref="ControlConditioningOptions.SigmaFromNoiseLabel"/>.</summary>
public static class ControlNoiseLabels
{
    /// <summary>σ = exp(4·c_noise), the inverse of EDM's c_noise = ln(σ)/4 (Karras et al. 2022, Table 1).</summary>
    public static Func<Tensor, Tensor> EdmLogSigma { get; } = c => c.Mul(4).Exp();

    /// <summary>σ(t) = √((1 − ᾱ_t)/ᾱ_t) of a discrete schedule, for networks that see timesteps t (DiT: the linear DDPM schedule).</summary>
    public static Func<Tensor, Tensor> Discrete(DiscreteSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.TimestepToSigma;
    }
}
