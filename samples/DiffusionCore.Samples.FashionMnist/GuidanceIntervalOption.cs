using System.CommandLine;
using System.Globalization;
using DiffusionCore.Guidance;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>
/// <c>--guidance-interval LO,HI</c>: the σ range in which guidance applies (Kynkäänniemi et al. 2024, "Applying
/// guidance in a limited interval improves sample and distribution quality"; docs/sampling.md), read into the library's
/// <see cref="GuidanceInterval"/>; <c>always</c> (the default) guides at every σ. LO must be at least 0 and below HI
/// (HI may be <c>Infinity</c>); anything else is an error naming the option.
/// </summary>
internal static class GuidanceIntervalOption
{
    /// <summary>The spelling of <see cref="GuidanceInterval.Always"/>.</summary>
    public const string AlwaysName = "always";

    /// <summary>The interval as the command line spells it: <c>always</c> or <c>0.3,5</c>.</summary>
    public static string Format(GuidanceInterval interval)
    {
        ArgumentNullException.ThrowIfNull(interval);
        return interval == GuidanceInterval.Always
            ? AlwaysName
            : string.Create(CultureInfo.InvariantCulture, $"{interval.SigmaMin},{interval.SigmaMax}");
    }

    /// <summary>
    /// The option, null when absent; its help shows <paramref name="defaultValue"/>, which the caller applies then
    /// (no default factory, so --help prints the command-line spelling rather than the record).
    /// </summary>
    public static Option<GuidanceInterval?> Create(string name, string description, GuidanceInterval defaultValue) => new(name)
    {
        Description = $"{description} [default: {Format(defaultValue)}]",
        HelpName = "lo,hi|always",
        CustomParser = r =>
        {
            string text = r.Tokens[0].Value;
            if (string.Equals(text, AlwaysName, StringComparison.OrdinalIgnoreCase)) return GuidanceInterval.Always;
            string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length != 2
                || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double lo)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double hi)
                || double.IsNaN(lo) || double.IsNaN(hi))
            {
                r.AddError($"{name} takes two σ values LO,HI (e.g. 0.3,5) or {AlwaysName}, not '{text}'.");
                return defaultValue;
            }

            if (!(lo >= 0 && double.IsFinite(lo) && lo < hi))
            {
                r.AddError($"{name} needs 0 ≤ LO < HI (guidance applies for LO ≤ σ ≤ HI), not '{text}'.");
                return defaultValue;
            }

            return new GuidanceInterval(lo, hi);
        },
    };
}
