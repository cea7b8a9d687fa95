using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Control;

/// <summary>Conversions from a network's noise labels c_noise to σ, for <see cref="ControlConditioningOptions.SigmaFromNoiseLabel"/>.</summary>
public static class ControlNoiseLabels
{
    /// <summary>σ = exp(4·c_noise), the inverse of EDM's c_noise = ln(σ)/4 (Karras et al. 2022, Table 1).</summary>
    public static Func<Tensor, Tensor> EdmLogSigma { get; } = c => c.Mul(4).Exp();

    /// <summary>
    /// σ = σ_VP(c_noise/(M − 1)), the inverse of VP preconditioning's c_noise = (M − 1)·t(σ) with EDM's constants
    /// (β_d = 19.9, β_min = 0.1, M = 1000; Karras et al. 2022, Table 1 "VP"), for a UNet trained with
    /// <c>VpPreconditioning</c>.
    /// </summary>
    public static Func<Tensor, Tensor> VpTime { get; } = c => VpNoiseLevel.Default.Sigma(c.Div(1000 - 1));

    /// <summary>σ = 2·exp(c_noise), the inverse of VE preconditioning's c_noise = ln(σ/2) (Karras et al. 2022, Table 1 "VE").</summary>
    public static Func<Tensor, Tensor> VeLogHalfSigma { get; } = c => c.Exp().Mul(2);

    /// <summary>The conversions a model file can store, by name (<see cref="ControlConditioningOptions.SigmaFromNoiseLabel"/>).</summary>
    internal static IReadOnlyList<(string Name, Func<Tensor, Tensor> Conversion)> Named { get; } =
        [("edm", EdmLogSigma), ("vp", VpTime), ("ve", VeLogHalfSigma)];

    /// <summary>σ(t) = √((1 − ᾱ_t)/ᾱ_t) of a discrete schedule, for networks that see timesteps t (DiT: the linear DDPM schedule).</summary>
    public static Func<Tensor, Tensor> Discrete(DiscreteSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.TimestepToSigma;
    }
}
