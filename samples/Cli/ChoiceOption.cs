using System.CommandLine;
using DiffusionCore.Torch;

namespace DiffusionCore.Samples.Cli;

/// <summary>
/// Options whose value is one of a few names (System.CommandLine), read into a typed value — an enum member — so no
/// code after parsing compares strings. A name is matched ignoring case; anything else is an error naming the option
/// and the accepted names, which <c>--help</c> and shell completion list too.
/// </summary>
internal static class ChoiceOption
{
    /// <summary>An option whose value is one of named <paramref name="choices"/> (matched ignoring case).</summary>
    public static Option<T> Choice<T>(string name, string description, T defaultValue, IReadOnlyList<(string Name, T Value)> choices)
        where T : struct
    {
        Option<T> option = NamedValues<T, T>(name, description, choices, v => v);
        option.DefaultValueFactory = _ => defaultValue;
        return option;
    }

    /// <summary>An option whose value is one of named <paramref name="choices"/> (matched ignoring case), null when absent.</summary>
    public static Option<T?> OptionalChoice<T>(string name, string description, IReadOnlyList<(string Name, T Value)> choices)
        where T : struct => NamedValues<T, T?>(name, description, choices, v => v);

    /// <summary>An enum option whose choices are the members' names in lower case (<see cref="CliName{T}"/>).</summary>
    public static Option<T> Choice<T>(string name, string description, T defaultValue)
        where T : struct, Enum =>
        Choice(name, description, defaultValue, Enum.GetValues<T>().Select(v => (CliName(v), v)).ToArray());

    /// <summary>
    /// A <see cref="ComputePrecision"/> option spelled <c>auto</c>, <c>fp32</c> or <c>bf16</c> (docs/precision.md).
    /// </summary>
    public static Option<ComputePrecision> Precision(string name, string description, ComputePrecision defaultValue) =>
        Choice(name, description, defaultValue, PrecisionNames);

    /// <summary>The command-line spellings of <see cref="ComputePrecision"/> (docs/precision.md).</summary>
    public static IReadOnlyList<(string Name, ComputePrecision Value)> PrecisionNames { get; } =
        [("auto", ComputePrecision.Auto), ("fp32", ComputePrecision.Float32), ("bf16", ComputePrecision.BFloat16)];

    /// <summary>The command-line spelling of an enum member: its name in lower case.</summary>
    public static string CliName<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static Option<TOption> NamedValues<T, TOption>(string name, string description, IReadOnlyList<(string Name, T Value)> choices, Func<T, TOption> wrap)
    {
        string names = string.Join("|", choices.Select(c => c.Name));
        var option = new Option<TOption>(name)
        {
            Description = description,
            HelpName = names,
            CustomParser = r =>
            {
                string token = r.Tokens[0].Value;
                foreach ((string n, T value) in choices)
                {
                    if (string.Equals(n, token, StringComparison.OrdinalIgnoreCase)) return wrap(value);
                }

                r.AddError($"{name} is one of {names.Replace("|", ", ", StringComparison.Ordinal)}, not '{token}'.");
                return default;
            },
        };
        option.CompletionSources.Add(choices.Select(c => c.Name).ToArray());
        return option;
    }
}
