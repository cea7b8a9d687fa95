namespace DiffusionCore.Benchmarks;

/// <summary>Order statistics of the runners' wall times.</summary>
internal static class Timings
{
    /// <summary>
    /// The <paramref name="q"/> quantile of <paramref name="values"/>, interpolated linearly between order statistics
    /// (q = 0.5: the middle value, or the mean of the two middle ones).
    /// </summary>
    public static double Quantile(double[] values, double q)
    {
        double[] sorted = (double[])values.Clone();
        Array.Sort(sorted);
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}
