namespace DiffusionCore.Schedules;

public static partial class SigmaSchedules
{
    /// <summary>
    /// The iDDPM discretisation (Karras et al. 2022, Table 1 "iDDPM", after Nichol and Dhariwal 2021):
    /// <c>σ_i = u_{⌊j_0 + (M−1−j_0)/(N−1)·i + ½⌋}</c> for i = 0..N−1, then σ_N = 0, with the u-table of
    /// <see cref="IddpmUTable"/>.
    /// </summary>
    /// <param name="steps">N (≥ 1).</param>
    /// <param name="table">The u-table (M = 1000, C1 = 0.001, C2 = 0.008 when null).</param>
    /// <param name="j0">j_0, the first index used (8).</param>
    public static double[] Iddpm(int steps, IddpmUTable? table = null, int j0 = 8)
    {
        ValidateSteps(steps);
        IddpmUTable u = table ?? new IddpmUTable();
        if (j0 < 0 || j0 > u.M - 1) throw new ArgumentOutOfRangeException(nameof(j0), j0, $"j_0 must lie in [0, M−1 = {u.M - 1}] (EDM: 8).");
        if (steps > u.M - j0)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"The iDDPM grid has only {u.M - j0} distinct levels from j_0 = {j0}; use at most that many steps.");
        }

        return WithZero(steps, i => u[(int)Math.Floor(j0 + ((u.M - 1 - j0) * Fraction(i, steps)) + 0.5)]);
    }
}
