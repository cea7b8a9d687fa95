using System.Globalization;

namespace DiffusionCore.Samples.Cli;

/// <summary>A count given on the command line as a positive integer, or as <c>auto</c> (<see cref="Value"/> null: the program chooses).</summary>
internal readonly record struct AutoCount(int? Value)
{
    /// <summary>The command-line spelling: the number, or <c>auto</c>.</summary>
    public override string ToString() => Value?.ToString(CultureInfo.InvariantCulture) ?? "auto";
}
