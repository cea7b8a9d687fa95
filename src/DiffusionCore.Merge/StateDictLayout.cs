namespace DiffusionCore.Merge;

/// <summary>Checks that state dicts hold the same tensors (keys, shapes and dtypes) before anything is combined.</summary>
internal static class StateDictLayout
{
    private const int MaxListed = 10;

    /// <summary>Reads every source's entries (headers only for files) and returns the first source's, in order.</summary>
    /// <exception cref="StateDictMismatchException">A source differs from the first; the message names the keys.</exception>
    public static IReadOnlyList<StateDictEntry> Check(IReadOnlyList<StateDictSource> sources)
    {
        IReadOnlyList<StateDictEntry> layout;
        using (StateDictSource.Reader first = sources[0].Open())
        {
            layout = first.Entries;
        }

        var byKey = layout.ToDictionary(static e => e.Key, StringComparer.Ordinal);
        for (int i = 1; i < sources.Count; i++)
        {
            using StateDictSource.Reader reader = sources[i].Open();
            Compare(byKey, reader.Entries, sources[0].Name, sources[i].Name);
        }

        return layout;
    }

    private static void Compare(Dictionary<string, StateDictEntry> expected, IReadOnlyList<StateDictEntry> actual, string firstName, string name)
    {
        var problems = new List<(string Key, string Text)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (StateDictEntry e in actual)
        {
            seen.Add(e.Key);
            if (!expected.TryGetValue(e.Key, out StateDictEntry? want))
            {
                problems.Add((e.Key, $"'{e.Key}' is not in '{firstName}'"));
            }
            else if (!want.Shape.SequenceEqual(e.Shape))
            {
                problems.Add((e.Key, $"'{e.Key}' has shape {e.ShapeText}, not {want.ShapeText}"));
            }
            else if (want.DType != e.DType)
            {
                problems.Add((e.Key, $"'{e.Key}' is {e.DType}, not {want.DType} (convert one of them first)"));
            }
        }

        foreach (string key in expected.Keys.Where(k => !seen.Contains(k)))
        {
            problems.Add((key, $"'{key}' is missing"));
        }

        if (problems.Count > 0)
        {
            throw new StateDictMismatchException(
                $"The state dict '{name}' does not hold the same tensors as '{firstName}' " +
                $"({string.Join("; ", problems.Take(MaxListed).Select(static p => p.Text))}{(problems.Count > MaxListed ? $"; {problems.Count - MaxListed} more" : string.Empty)}): " +
                "only state dicts of one architecture can be combined.",
                problems[0].Key,
                name);
        }
    }
}
