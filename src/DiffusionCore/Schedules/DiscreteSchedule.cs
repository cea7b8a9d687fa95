using DiffusionCore.Torch;

namespace DiffusionCore.Schedules;

/// <summary>
/// A discrete-time DDPM noise schedule (Ho et al. 2020) in σ form: <c>ᾱ_t = Π_{s≤t}(1 − β_s)</c> and
/// <c>σ_t = √((1 − ᾱ_t)/ᾱ_t)</c> for t = 0..T−1, so that <c>x_VE = x_VP/√ᾱ_t = y + σ_t·ε</c> (Karras et al. 2022,
/// Eq. 4 and Appendix C.2; Song et al. 2021a, Eq. 14). Maps between discrete timesteps and σ for ε- and v-prediction
/// networks such as DiT, and picks sampling timesteps.
/// </summary>
public sealed class DiscreteSchedule
{
    private readonly double[] _betas;
    private readonly double[] _alphasCumprod;
    private readonly double[] _sigmas;
    private readonly double[] _logSigmas;

    /// <summary>Builds a schedule from its β_t, t = 0..T−1 (each in (0, 1)).</summary>
    /// <exception cref="ArgumentException">A β is outside (0, 1) or there are fewer than two.</exception>
    public DiscreteSchedule(IReadOnlyList<double> betas)
    {
        ArgumentNullException.ThrowIfNull(betas);
        if (betas.Count < 2) throw new ArgumentException("A discrete schedule needs at least two timesteps.", nameof(betas));
        _betas = betas.ToArray();
        _alphasCumprod = new double[_betas.Length];
        _sigmas = new double[_betas.Length];
        _logSigmas = new double[_betas.Length];
        double prod = 1;
        for (int t = 0; t < _betas.Length; t++)
        {
            double b = _betas[t];
            if (!(b > 0 && b < 1))
            {
                throw new ArgumentException($"β[{t}] = {b} must lie in (0, 1).", nameof(betas));
            }

            prod *= 1 - b;
            _alphasCumprod[t] = prod;
            _sigmas[t] = Math.Sqrt((1 - prod) / prod);
            _logSigmas[t] = Math.Log(_sigmas[t]);
        }
    }

    /// <summary>
    /// The linear β schedule (Ho et al. 2020): β_t evenly spaced from <paramref name="betaStart"/> to
    /// <paramref name="betaEnd"/>; for T ≠ 1000 both ends are scaled by 1000/T (as DiT and ADM do).
    /// </summary>
    public static DiscreteSchedule Linear(int timesteps = 1000, double betaStart = 1e-4, double betaEnd = 0.02)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timesteps, 2);
        double scale = 1000.0 / timesteps;
        double b0 = betaStart * scale;
        double b1 = betaEnd * scale;
        var betas = new double[timesteps];
        for (int t = 0; t < timesteps; t++)
        {
            betas[t] = b0 + ((b1 - b0) * t / (timesteps - 1));
        }

        return new DiscreteSchedule(betas);
    }

    /// <summary>
    /// The cosine schedule (Nichol and Dhariwal 2021, Eq. 17): ᾱ(t) = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s)·π/2),
    /// β_t = min(1 − ᾱ(t+1)/ᾱ(t), <paramref name="maxBeta"/>).
    /// </summary>
    public static DiscreteSchedule Cosine(int timesteps = 1000, double offset = 0.008, double maxBeta = 0.999)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timesteps, 2);
        if (!(maxBeta > 0 && maxBeta < 1)) throw new ArgumentOutOfRangeException(nameof(maxBeta), maxBeta, "maxBeta must be in (0, 1) (0.999).");
        if (!(offset >= 0)) throw new ArgumentOutOfRangeException(nameof(offset), offset, "offset s must be non-negative (0.008).");
        double F(double t) => Math.Pow(Math.Cos((((t / timesteps) + offset) / (1 + offset)) * Math.PI / 2), 2);
        var betas = new double[timesteps];
        for (int t = 0; t < timesteps; t++)
        {
            betas[t] = Math.Min(1 - (F(t + 1) / F(t)), maxBeta);
        }

        return new DiscreteSchedule(betas);
    }

    /// <summary>Builds a schedule of a <see cref="BetaSchedule"/> family with its default constants.</summary>
    public static DiscreteSchedule Create(BetaSchedule kind, int timesteps = 1000) => kind switch
    {
        BetaSchedule.Linear => Linear(timesteps),
        BetaSchedule.Cosine => Cosine(timesteps),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown beta schedule; use Linear or Cosine."),
    };

    /// <summary>T, the number of training timesteps.</summary>
    public int Timesteps => _betas.Length;

    /// <summary>β_t, t = 0..T−1.</summary>
    public IReadOnlyList<double> Betas => _betas;

    /// <summary>ᾱ_t, t = 0..T−1.</summary>
    public IReadOnlyList<double> AlphasCumprod => _alphasCumprod;

    /// <summary>σ_t = √((1−ᾱ_t)/ᾱ_t), t = 0..T−1 (increasing).</summary>
    public IReadOnlyList<double> Sigmas => _sigmas;

    /// <summary>σ_0, the smallest trained noise level.</summary>
    public double SigmaMin => _sigmas[0];

    /// <summary>σ_{T−1}, the largest trained noise level.</summary>
    public double SigmaMax => _sigmas[^1];

    /// <summary>σ at a possibly fractional timestep, by linear interpolation of ln σ (clamped to [0, T−1]).</summary>
    public double TimestepToSigma(double t)
    {
        if (double.IsNaN(t)) throw new ArgumentOutOfRangeException(nameof(t), t, "timestep is NaN");
        double c = Math.Clamp(t, 0, Timesteps - 1);
        int lo = Math.Min((int)Math.Floor(c), Timesteps - 2);
        double w = c - lo;
        return Math.Exp(((1 - w) * _logSigmas[lo]) + (w * _logSigmas[lo + 1]));
    }

    /// <summary>
    /// Tensor form of <see cref="TimestepToSigma(double)"/>: float64 σ <c>[B]</c> for (fractional) timesteps <c>[B]</c>,
    /// by linear interpolation of ln σ, computed with tensor ops on the timesteps' device.
    /// </summary>
    public Tensor TimestepToSigma(Tensor timesteps)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        using var scope = new TensorScope();
        Tensor table = Tensor.FromArray(_logSigmas).To(timesteps.Device, DType.Float64);
        Tensor t = timesteps.To(DType.Float64).Reshape(-1).Clamp(0, Timesteps - 1);
        Tensor lo = t.Floor().Clamp(0, Timesteps - 2).To(DType.Int64);
        Tensor w = t - lo.To(DType.Float64);
        Tensor low = table.IndexSelect(0, lo);
        Tensor high = table.IndexSelect(0, lo.Add(1L));
        return (low + ((high - low) * w)).Exp().MoveToOuterScope();
    }

    /// <summary>The (fractional or nearest) timestep of a noise level, the inverse of <see cref="TimestepToSigma(double)"/>.</summary>
    public double SigmaToTimestep(double sigma, TimestepRounding rounding = TimestepRounding.Interpolated)
    {
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "σ must be positive to have a timestep.");
        return TimestepOfLogSigma(Math.Log(sigma), rounding);
    }

    /// <summary>
    /// Tensor form of <see cref="SigmaToTimestep(double, TimestepRounding)"/>: float64 timesteps <c>[B]</c> for σ
    /// <c>[B]</c> on σ's device (the noise label of ε/v networks). The lookup is scalar schedule maths: a binary search
    /// per sample on the host, O(B log T), instead of a [B, T] comparison on the device. σ = 0 maps to timestep 0.
    /// </summary>
    public Tensor SigmaToTimestep(Tensor sigma, TimestepRounding rounding = TimestepRounding.Interpolated)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        using var scope = new TensorScope();
        double[] s = sigma.To(Device.Cpu, DType.Float64).Reshape(-1).ToArray<double>();
        var t = new double[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            if (double.IsNaN(s[i]) || s[i] < 0) throw new ArgumentException($"σ[{i}] = {s[i]} is not a noise level.", nameof(sigma));
            t[i] = TimestepOfLogSigma(Math.Log(s[i]), rounding);
        }

        return Tensor.FromArray(t).To(sigma.Device).MoveToOuterScope();
    }

    /// <summary>
    /// Timestep of ln σ: lo = (number of table entries ≤ ln σ) − 1 clamped to [0, T−2], then linear interpolation to
    /// lo+1 (clamped to [0, 1]) or the nearer of the two (ties to the lower).
    /// </summary>
    private double TimestepOfLogSigma(double logSigma, TimestepRounding rounding)
    {
        int idx = Array.BinarySearch(_logSigmas, logSigma);
        int countAtOrBelow = idx >= 0 ? idx + 1 : ~idx;
        int lo = Math.Clamp(countAtOrBelow - 1, 0, Timesteps - 2);
        if (rounding == TimestepRounding.Nearest)
        {
            return Math.Abs(_logSigmas[lo + 1] - logSigma) < Math.Abs(_logSigmas[lo] - logSigma) ? lo + 1 : lo;
        }

        double w = (logSigma - _logSigmas[lo]) / (_logSigmas[lo + 1] - _logSigmas[lo]);
        return lo + Math.Clamp(w, 0, 1);
    }

    /// <summary>The N sampling timesteps, descending (t_0 = the noisiest).</summary>
    public int[] StepTimesteps(int steps, TimestepSpacing spacing = TimestepSpacing.Linspace)
    {
        if (steps < 1 || steps > Timesteps)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"Choose between 1 and T = {Timesteps} sampling steps.");
        }

        int t = Timesteps;
        int[] ascending = spacing switch
        {
            TimestepSpacing.Linspace => Enumerable.Range(0, steps).Select(i => steps == 1 ? t - 1 : (int)Math.Round((double)i * (t - 1) / (steps - 1), MidpointRounding.AwayFromZero)).ToArray(),
            TimestepSpacing.Leading => Enumerable.Range(0, steps).Select(i => i * (t / steps)).ToArray(),
            TimestepSpacing.Trailing => Enumerable.Range(0, steps).Select(i => (int)Math.Round(t - ((double)i * t / steps), MidpointRounding.AwayFromZero) - 1).Reverse().ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(spacing), spacing, "Unknown timestep spacing."),
        };
        return ascending.Distinct().OrderDescending().ToArray();
    }

    /// <summary>
    /// The sampling schedule for N steps: σ at the chosen timesteps (descending) followed by 0, ready for any solver
    /// (DDIM and ancestral DDPM take their steps between consecutive entries).
    /// </summary>
    public double[] StepSigmas(int steps, TimestepSpacing spacing = TimestepSpacing.Linspace)
    {
        int[] ts = StepTimesteps(steps, spacing);
        var result = new double[ts.Length + 1];
        for (int i = 0; i < ts.Length; i++)
        {
            result[i] = _sigmas[ts[i]];
        }

        return result;
    }
}
