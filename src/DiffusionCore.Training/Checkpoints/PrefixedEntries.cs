namespace DiffusionCore.Training.Checkpoints;

internal static class PrefixedEntries
{
    /// <summary>The entries whose key starts with <paramref name="prefix"/>, with the prefix removed.</summary>
    public static Dictionary<string, T> Strip<T>(IReadOnlyDictionary<string, T> source, string prefix)
    {
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach ((string key, T value) in source)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal)) result[key[prefix.Length..]] = value;
        }

        return result;
    }

    public static void AddPrefixed<T>(IDictionary<string, T> target, IEnumerable<KeyValuePair<string, T>> source, string prefix)
    {
        foreach ((string key, T value) in source) target.Add(prefix + key, value);
    }
}
