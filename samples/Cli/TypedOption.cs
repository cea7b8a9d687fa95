using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace DiffusionCore.Samples.Cli;

/// <summary>
/// Number options and arguments for the samples and benchmark runners (System.CommandLine). Numbers are read in the
/// invariant culture and must be finite ("1,5" or "NaN" is an error, never 15 or a NaN run); rules are checked while
/// parsing, so every bad value is reported with its option's name before any work starts. Named choices:
/// <see cref="ChoiceOption"/>.
/// </summary>
internal static class TypedOption
{
    /// <summary>
    /// A number option with a default; with <paramref name="accept"/>, a value it refuses is the error
    /// "{name} {rule}, not {value}.".
    /// </summary>
    public static Option<T> Number<T>(string name, string description, T defaultValue, Func<T, bool>? accept = null, string? rule = null)
        where T : struct, INumber<T> =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => ParseNumber(name, r, accept, rule) };

    /// <summary>A positive number option with a default.</summary>
    public static Option<T> Positive<T>(string name, string description, T defaultValue)
        where T : struct, INumber<T> => Number(name, description, defaultValue, v => v > T.Zero, "must be positive");

    /// <summary>A positive number option that is null when absent.</summary>
    public static Option<T?> OptionalPositive<T>(string name, string description)
        where T : struct, INumber<T> =>
        new(name) { Description = description, CustomParser = r => ParseNumber<T>(name, r, v => v > T.Zero, "must be positive") };

    /// <summary>A count that is a positive integer or <c>auto</c> (null: the program chooses).</summary>
    public static Option<AutoCount> AutoCount(string name, string description, int? defaultValue) => new(name)
    {
        Description = description,
        HelpName = "auto|N",
        DefaultValueFactory = _ => new AutoCount(defaultValue),
        CustomParser = r =>
        {
            string token = r.Tokens[0].Value;
            if (string.Equals(token, "auto", StringComparison.OrdinalIgnoreCase)) return default;
            return new AutoCount(ParseNumber<int>(name, r, n => n > 0, "takes auto or a positive integer"));
        },
    };

    /// <summary>An optional positional number argument with a default, checked like <see cref="Number{T}"/>.</summary>
    public static Argument<T> NumberArgument<T>(string name, string description, T defaultValue, Func<T, bool> accept, string rule)
        where T : struct, INumber<T> => new(name)
        {
            Description = description,
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => ParseNumber(name, r, accept, rule),
        };

    /// <summary>
    /// Reads the number in <paramref name="result"/>'s first token (invariant culture, finite); an unreadable value,
    /// or one <paramref name="accept"/> refuses, is an error naming <paramref name="name"/>.
    /// </summary>
    public static T ParseNumber<T>(string name, ArgumentResult result, Func<T, bool>? accept = null, string? rule = null)
        where T : struct, INumber<T>
    {
        string token = result.Tokens[0].Value;
        if (!T.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out T value) || !T.IsFinite(value))
        {
            bool integral = T.IsInteger(T.CreateSaturating(0.5));
            result.AddError($"{name} needs {(integral ? "an integer" : "a number")}, not '{token}'.");
        }
        else if (accept is not null && !accept(value))
        {
            result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} {rule}, not {token}."));
        }

        return value;
    }
}
