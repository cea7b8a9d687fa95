using DiffusionCore.Torch;

namespace DiffusionCore.NoiseLevels;

/// <summary>
/// SD3's mode sampling with heavy tails (Esser et al. 2024, Sect. 3.1, Eq. 20):
/// <c>t = f_mode(u; s) = 1 − u − s·(cos²(π·u/2) − 1 + u)</c> with u ~ U(0, 1). The scale s ∈
/// [−1, 2/(π−2)] moves mass toward the middle (s &gt; 0) or the ends (s &lt; 0); s = 0 is uniform t, the original
/// rectified-flow choice (Liu et al. 2023). SD3 reports s = 1.29 as the best mode setting. The density is
/// <c>π_mode(t) = 1/|f'_mode(f_mode⁻¹(t))|</c>.
/// </summary>
public sealed class ModeNoiseLevels : FlowTimeDistribution
{
    /// <summary>The largest s for which f_mode is monotone: 2/(π − 2).</summary>
    public static readonly double MaxScale = 2 / (Math.PI - 2);

    /// <summary>Creates it (SD3: s = 1.29; 0 = uniform).</summary>
    public ModeNoiseLevels(double scale = 1.29)
    {
        if (!(scale >= -1 && scale <= MaxScale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"The mode scale s must lie in [−1, 2/(π−2) ≈ {MaxScale:F4}] for f_mode to be monotone (SD3: 1.29; 0 = uniform).");
        }

        ModeScale = scale;
    }

    /// <summary>s.</summary>
    public double ModeScale { get; }

    /// <summary><c>f_mode(u; s)</c> (SD3, Eq. 20).</summary>
    public double Map(double u)
    {
        double c = Math.Cos(Math.PI * u / 2);
        return 1 - u - (ModeScale * ((c * c) - 1 + u));
    }

    /// <inheritdoc />
    public override double Density(double t)
    {
        if (!(t > 0 && t < 1)) return 0;

        // f_mode falls monotonically from 1 (u = 0) to 0 (u = 1): bisect for u with f_mode(u) = t.
        double lo = 0, hi = 1;
        for (int i = 0; i < 200 && hi - lo > 0; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) break;
            if (Map(mid) > t) lo = mid;
            else hi = mid;
        }

        double u = 0.5 * (lo + hi);
        double slope = -1 - (ModeScale * (1 - (Math.PI / 2 * Math.Sin(Math.PI * u))));
        return 1 / Math.Abs(slope);
    }

    /// <inheritdoc />
    protected override Tensor DrawTimes(long batchSize, Generator generator)
    {
        Tensor u = Tensor.Rand([batchSize], generator, DType.Float64, generator.Device);
        Tensor c = (u * (Math.PI / 2)).Cos();
        return u.RSub(1) - (((c.Square() - 1) + u) * ModeScale);
    }
}
