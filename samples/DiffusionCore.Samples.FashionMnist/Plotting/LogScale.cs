using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace DiffusionCore.Samples.FashionMnist.Plotting;

/// <summary>
/// Logarithmic axes for ScottPlot figures, which draw linear axes only: the data goes in as log10 of the values
/// (<see cref="Of"/>) and <see cref="Apply"/> puts ticks at 1…9 × 10^k labelled with the values themselves — every
/// decade labelled, and 2× and 5× too when the axis spans at most three decades.
/// </summary>
internal static class LogScale
{
    /// <summary>Whether <paramref name="values"/> suit a log axis: all positive, spanning at least a factor of ten.</summary>
    public static bool Suits(IReadOnlyCollection<double> values) =>
        values.Count > 0 && values.All(v => v > 0 && double.IsFinite(v)) && values.Max() >= 10 * values.Min();

    /// <summary>log10 of each value; NaN for values ≤ 0, which a log axis cannot show (ScottPlot leaves a gap there).</summary>
    public static double[] Of(IEnumerable<double> values) => values.Select(v => v > 0 ? Math.Log10(v) : double.NaN).ToArray();

    /// <summary>Makes <paramref name="axis"/> a log10 axis for positive data from <paramref name="min"/> to <paramref name="max"/>, passed through <see cref="Of"/>.</summary>
    public static void Apply(IAxis axis, double min, double max)
    {
        ArgumentNullException.ThrowIfNull(axis);
        int first = (int)Math.Floor(Math.Log10(min)), last = (int)Math.Ceiling(Math.Log10(max));
        bool labelTwoAndFive = last - first <= 3;
        var ticks = new NumericManual();
        for (int k = first; k <= last; k++)
        {
            for (int m = 1; m <= 9; m++)
            {
                double value = m * Math.Pow(10, k);
                if (m == 1 || (labelTwoAndFive && m is 2 or 5)) ticks.AddMajor(Math.Log10(value), Label(value));
                else ticks.AddMinor(Math.Log10(value));
            }
        }

        axis.TickGenerator = ticks;
    }

    private static string Label(double value) =>
        value.ToString(value is >= 1e-9 and < 1e7 ? "#,0.#########" : "0E0", CultureInfo.InvariantCulture);
}
