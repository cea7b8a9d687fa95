namespace DiffusionCore.Torch.Nn;

/// <summary>A state-dict entry whose shape differs from the module's tensor of the same key.</summary>
/// <param name="Key">The state-dict key.</param>
/// <param name="ExpectedShape">The shape of the module's parameter or buffer.</param>
/// <param name="ActualShape">The shape of the tensor offered for loading.</param>
public sealed record StateDictShapeMismatch(string Key, IReadOnlyList<long> ExpectedShape, IReadOnlyList<long> ActualShape)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Key}: module has [{string.Join(", ", ExpectedShape)}], state dict has [{string.Join(", ", ActualShape)}]";
}

/// <summary>
/// What <see cref="Module.LoadStateDict"/> found (torch.nn.modules.module._IncompatibleKeys, plus shape mismatches):
/// keys the module expects but the state dict lacks, keys the state dict has but the module does not, and keys present
/// in both with different shapes (which are never loaded).
/// </summary>
public sealed class StateDictLoadResult
{
    /// <summary>Creates a result.</summary>
    public StateDictLoadResult(IReadOnlyList<string> missingKeys, IReadOnlyList<string> unexpectedKeys, IReadOnlyList<StateDictShapeMismatch> shapeMismatches)
    {
        ArgumentNullException.ThrowIfNull(missingKeys);
        ArgumentNullException.ThrowIfNull(unexpectedKeys);
        ArgumentNullException.ThrowIfNull(shapeMismatches);
        MissingKeys = missingKeys;
        UnexpectedKeys = unexpectedKeys;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>Keys of the module (parameters and persistent buffers) that the state dict does not contain.</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    /// <summary>Keys of the state dict that name nothing in the module.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; }

    /// <summary>Keys present in both whose shapes differ, with both shapes.</summary>
    public IReadOnlyList<StateDictShapeMismatch> ShapeMismatches { get; }

    /// <summary>True when every key matched in name and shape.</summary>
    public bool IsExactMatch => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0 && ShapeMismatches.Count == 0;

    /// <summary>A multi-line description listing every problem, or "all keys matched".</summary>
    public override string ToString()
    {
        if (IsExactMatch)
        {
            return "all keys matched";
        }

        var lines = new List<string>();
        if (MissingKeys.Count > 0)
        {
            lines.Add($"Missing key(s) ({MissingKeys.Count}): {string.Join(", ", MissingKeys)}");
        }

        if (UnexpectedKeys.Count > 0)
        {
            lines.Add($"Unexpected key(s) ({UnexpectedKeys.Count}): {string.Join(", ", UnexpectedKeys)}");
        }

        if (ShapeMismatches.Count > 0)
        {
            lines.Add($"Shape mismatch(es) ({ShapeMismatches.Count}):");
            lines.AddRange(ShapeMismatches.Select(static m => "  " + m));
        }

        return string.Join(Environment.NewLine, lines);
    }
}
