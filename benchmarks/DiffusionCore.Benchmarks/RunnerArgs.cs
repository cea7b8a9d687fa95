using System.Globalization;

namespace DiffusionCore.Benchmarks;

/// <summary>Reading option values for the <c>--edm2-*</c> runners, with an error that names the option.</summary>
internal static class RunnerArgs
{
    /// <summary>The value after the option at <paramref name="i"/>, advancing <paramref name="i"/> past it.</summary>
    public static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count) throw new ArgumentException($"{args[i]} needs a value.");
        return args[++i];
    }

    /// <summary>The integer value after the option at <paramref name="i"/>, advancing <paramref name="i"/> past it.</summary>
    public static int Int(IReadOnlyList<string> args, ref int i)
    {
        string option = args[i];
        string value = Value(args, ref i);
        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)
            ? n
            : throw new ArgumentException($"{option} needs an integer, not '{value}'.");
    }
}
