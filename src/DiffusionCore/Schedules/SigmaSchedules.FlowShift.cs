namespace DiffusionCore.Schedules;

public static partial class SigmaSchedules
{
    /// <summary>
    /// The rectified-flow grid of SD3 (Esser et al. 2024, Sect. 5.3.2 and Eq. 23) in σ form: N times evenly spaced
    /// from <paramref name="tMax"/> down to <paramref name="tMin"/>, each shifted by <c>t' = s·t/(1 + (s−1)·t)</c>
    /// (<see cref="ResolutionShift.ShiftTime"/>), then <c>σ_i = t'_i/(1 − t'_i)</c> (<see cref="RectifiedFlowTime.ToSigma"/>)
    /// and σ_N = 0. In σ form the shift multiplies every level by s. Any solver runs on it, for flow and EDM-style
    /// denoisers alike; flow models start near t = 1, hence the large σ_0 (999·s by default).
    /// </summary>
    /// <param name="steps">N (≥ 1).</param>
    /// <param name="shift">s &gt; 0 (1 = no shift; SD3 uses 3 at 1024², <see cref="ResolutionShift.ForResolution"/> for transfer).</param>
    /// <param name="tMin">The last unshifted time, in (0, tMax) (0.001, SD3's 1/1000).</param>
    /// <param name="tMax">The first unshifted time, in (tMin, 1) (0.999; t = 1 would be σ = ∞, which no σ-form solver can start from).</param>
    public static double[] FlowShift(int steps, double shift = 1, double tMin = 1e-3, double tMax = 1 - 1e-3)
    {
        ValidateSteps(steps);
        if (!(tMin > 0) || !(tMax > tMin) || !(tMax < 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(tMin), $"Need 0 < tMin < tMax < 1 (rectified-flow times; t = 1 is σ = ∞); got tMin = {tMin}, tMax = {tMax}.");
        }

        return WithZero(steps, i => RectifiedFlowTime.ToSigma(ResolutionShift.ShiftTime(tMax + (Fraction(i, steps) * (tMin - tMax)), shift)));
    }
}
