namespace DiffusionCore.Merge;

/// <summary>One scored candidate of a <see cref="MergeWeightSearch"/>.</summary>
/// <param name="Weights">The merge weights.</param>
/// <param name="Score">Its score (lower is better; NaN counts as worst).</param>
public sealed record WeightCandidate(IReadOnlyList<double> Weights, double Score);

/// <summary>Every candidate a <see cref="MergeWeightSearch"/> scored, in order, and the best.</summary>
/// <param name="Candidates">The candidates in the order they were scored.</param>
public sealed record WeightSearchResult(IReadOnlyList<WeightCandidate> Candidates)
{
    /// <summary>The candidate with the lowest score (the first of equals).</summary>
    public WeightCandidate Best => Candidates.Aggregate(static (best, c) => MergeWeightSearch.Better(c.Score, best.Score) ? c : best);
}

/// <summary>
/// A search for merge weights (decouple-then-merge picks its task-arithmetic weights by grid search; Ma et al. 2024;
/// docs/recipes.md §5) scored by a user-supplied metric, for example FD-FMNIST of a small sample from the merged
/// model; lower scores are better. The search is independent of how a candidate is merged: the metric receives the
/// weights, merges, samples and scores. Every candidate's score is recorded (<see cref="WeightSearchResult.Candidates"/>);
/// a candidate is never scored twice.
/// </summary>
public static class MergeWeightSearch
{
    /// <summary>Searches <paramref name="count"/> weights.</summary>
    /// <param name="count">The number of weights (merged models).</param>
    /// <param name="score">The metric: weights in, score out (lower is better).</param>
    /// <param name="options">Method, values, budget and start.</param>
    /// <param name="progress">Called after each candidate is scored, or null.</param>
    /// <exception cref="ArgumentException">An option is invalid (<see cref="WeightSearchOptions.Validate"/>).</exception>
    public static WeightSearchResult Search(int count, Func<IReadOnlyList<double>, double> score, WeightSearchOptions? options = null, Action<WeightCandidate>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(score);
        options ??= new WeightSearchOptions();
        options.Validate(count);
        var scored = new List<WeightCandidate>();
        var seen = new Dictionary<string, WeightCandidate>(StringComparer.Ordinal);
        WeightCandidate? Evaluate(double[] weights)
        {
            string key = string.Join(',', weights.Select(static w => w.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
            if (seen.TryGetValue(key, out WeightCandidate? known)) return known;
            if (scored.Count >= options.Budget) return null;
            var candidate = new WeightCandidate(weights, score(weights));
            seen.Add(key, candidate);
            scored.Add(candidate);
            progress?.Invoke(candidate);
            return candidate;
        }

        if (options.Method == WeightSearchMethod.Grid)
        {
            foreach (double[] weights in Grid(options.Values, count))
            {
                Evaluate(weights);
            }

            return new WeightSearchResult(scored);
        }

        WeightCandidate best = Evaluate([.. options.Start ?? Enumerable.Repeat(1.0 / count, count)])!;
        bool improved = true;
        while (improved && scored.Count < options.Budget)
        {
            improved = false;
            for (int j = 0; j < count && scored.Count < options.Budget; j++)
            {
                foreach (double value in options.Values)
                {
                    double[] weights = [.. best.Weights];
                    weights[j] = value;
                    WeightCandidate? c = Evaluate(weights);
                    if (c is null) break;
                    if (Better(c.Score, best.Score))
                    {
                        best = c;
                        improved = true;
                    }
                }
            }
        }

        return new WeightSearchResult(scored);
    }

    /// <summary>Whether score <paramref name="a"/> beats <paramref name="b"/> (lower is better; NaN loses).</summary>
    internal static bool Better(double a, double b) => !double.IsNaN(a) && (double.IsNaN(b) || a < b);

    private static IEnumerable<double[]> Grid(IReadOnlyList<double> values, int count)
    {
        int[] index = new int[count];
        while (true)
        {
            yield return [.. index.Select(i => values[i])];
            int j = count - 1;
            while (j >= 0 && ++index[j] == values.Count)
            {
                index[j] = 0;
                j--;
            }

            if (j < 0) yield break;
        }
    }
}
