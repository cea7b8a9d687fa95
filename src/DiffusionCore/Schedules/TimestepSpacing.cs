namespace DiffusionCore.Schedules;

/// <summary>How N sampling timesteps are chosen among the T training timesteps of a <see cref="DiscreteSchedule"/>.</summary>
public enum TimestepSpacing
{
    /// <summary>
    /// <c>t_i = round(i·(T−1)/(N−1))</c>, both ends included (the respacing of Nichol and Dhariwal 2021 used by DiT's
    /// "250"-step sampler).
    /// </summary>
    Linspace = 0,

    /// <summary><c>t_i = i·⌊T/N⌋</c> (DDIM, Song et al. 2021a): starts at 0, may end below T−1.</summary>
    Leading = 1,

    /// <summary><c>t_i = round(T − i·T/N) − 1</c>: ends exactly at T−1 (Lin et al. 2024, "Common diffusion noise schedules are flawed").</summary>
    Trailing = 2,
}

/// <summary>How a continuous σ is mapped to a network's timestep by <see cref="DiscreteSchedule.SigmaToTimestep(DiffusionCore.Torch.Tensor, TimestepRounding)"/>.</summary>
public enum TimestepRounding
{
    /// <summary>Fractional timestep by linear interpolation in ln σ between the two neighbouring training levels (k-diffusion).</summary>
    Interpolated = 0,

    /// <summary>The nearest training timestep in ln σ (an integer, for networks that only accept trained timesteps).</summary>
    Nearest = 1,
}

/// <summary>The β(t) family of a discrete DDPM schedule.</summary>
public enum BetaSchedule
{
    /// <summary>β linear from β_start to β_end (Ho et al. 2020; DiT: 10⁻⁴ → 0.02 over 1000 steps).</summary>
    Linear = 0,

    /// <summary>ᾱ(t) = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s)·π/2) (Nichol and Dhariwal 2021, Eq. 17).</summary>
    Cosine = 1,
}
