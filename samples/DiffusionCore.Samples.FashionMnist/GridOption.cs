using System.CommandLine;
using System.Globalization;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>
/// Options that take a comma-separated list of numbers for the post-hoc sweep (<c>--sigma-rel-grid 0.05,0.1</c>): each
/// value finite and accepted by its rule, no value twice, at least one; anything else is an error naming the option.
/// </summary>
internal static class GridOption
{
    /// <summary>What <see cref="ValidSigmaRel"/> accepts, in words.</summary>
    public const string SigmaRelRule = "must be in (0, 0.28] (a power-function EMA's σ_rel is below 1/√12 ≈ 0.289)";

    /// <summary>What <see cref="ValidGuidance"/> accepts, in words.</summary>
    public const string GuidanceRule = "must be at least 1 (1 = no guidance)";

    /// <summary>A relative EMA length a power-function EMA can have (Karras et al. 2024, Eq. 3–4).</summary>
    public static bool ValidSigmaRel(double s) => s is > 0 and <= 0.28;

    /// <summary>A guidance scale: 1 is none, more pushes away from the unconditional (or guide) prediction.</summary>
    public static bool ValidGuidance(double w) => w >= 1;

    /// <summary>A list option with a default; values are parsed in the invariant culture.</summary>
    public static Option<ValueList> Create(string name, string description, ValueList defaultValue, Func<double, bool> accept, string rule) => new(name)
    {
        Description = description,
        HelpName = "a,b,...",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r =>
        {
            string text = r.Tokens[0].Value;
            var values = new List<double>();
            foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                {
                    r.AddError($"{name} takes numbers separated by commas, not '{text}' ('{part}' is not a number).");
                    return defaultValue;
                }

                if (!accept(v))
                {
                    r.AddError($"{name}: each value {rule}, not {part}.");
                    return defaultValue;
                }

                if (values.Contains(v))
                {
                    r.AddError($"{name} lists {part} twice.");
                    return defaultValue;
                }

                values.Add(v);
            }

            return new ValueList([.. values]);
        },
    };
}
