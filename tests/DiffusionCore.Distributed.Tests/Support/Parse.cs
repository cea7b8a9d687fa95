using System.Globalization;

namespace DiffusionCore.Distributed.Tests.Support;

/// <summary>Reads the worker's printed values.</summary>
internal static class Parse
{
    public static double[] Values(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>A printed error: exception type, elapsed milliseconds, message.</summary>
    public static (string Type, double ElapsedMs, string Message) Error(string text)
    {
        string[] parts = text.Split('|', 3);
        if (parts.Length != 3) throw new FormatException($"Not an error line: {text}");
        return (parts[0], double.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]);
    }
}
