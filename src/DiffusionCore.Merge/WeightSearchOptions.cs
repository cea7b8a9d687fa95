namespace DiffusionCore.Merge;

/// <summary>How <see cref="MergeWeightSearch"/> proposes merge weights.</summary>
public enum WeightSearchMethod
{
    /// <summary>Every combination of <see cref="WeightSearchOptions.Values"/> (it must fit the budget).</summary>
    Grid,

    /// <summary>
    /// Coordinate search: from <see cref="WeightSearchOptions.Start"/>, try every value for one weight at a time, keep the
    /// best, and sweep the weights again until a sweep improves nothing or the budget is spent.
    /// </summary>
    Coordinate,
}

/// <summary>Options of <see cref="MergeWeightSearch"/>.</summary>
public sealed record WeightSearchOptions
{
    /// <summary>Grid or coordinate search (coordinate by default).</summary>
    public WeightSearchMethod Method { get; init; } = WeightSearchMethod.Coordinate;

    /// <summary>The values each weight may take (DeMe's grid: 0.1 … 0.5 and the like).</summary>
    public IReadOnlyList<double> Values { get; init; } = [0.0, 0.25, 0.5, 0.75, 1.0];

    /// <summary>The most candidates scored (each distinct candidate is scored once).</summary>
    public int Budget { get; init; } = 20;

    /// <summary>The coordinate search's first candidate; null starts from 1/K for every weight (the plain average).</summary>
    public IReadOnlyList<double>? Start { get; init; }

    /// <summary>Throws when an option is invalid for <paramref name="count"/> weights.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message says which and the fix.</exception>
    public void Validate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (Values is null || Values.Count == 0 || Values.Any(static v => !double.IsFinite(v)))
        {
            throw new ArgumentException("WeightSearchOptions.Values must hold at least one finite value.");
        }

        if (Budget < 1) throw new ArgumentException($"WeightSearchOptions.Budget must be at least 1; got {Budget}.");
        if (Start is not null && (Start.Count != count || Start.Any(static v => !double.IsFinite(v))))
        {
            throw new ArgumentException($"WeightSearchOptions.Start must hold {count} finite weights (one per merged model).");
        }

        double size = Math.Pow(Values.Count, count);
        if (Method == WeightSearchMethod.Grid && size > Budget)
        {
            throw new ArgumentException(
                $"The grid of {Values.Count}^{count} = {size:0} candidates exceeds the budget of {Budget}: raise Budget, give fewer Values, or use the coordinate search.");
        }
    }
}
