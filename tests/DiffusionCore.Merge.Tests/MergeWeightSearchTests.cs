namespace DiffusionCore.Merge.Tests;

public sealed class MergeWeightSearchTests
{
    /// <summary>A bowl with its minimum at (0.25, 0.75).</summary>
    private static double Bowl(IReadOnlyList<double> w) => Math.Pow(w[0] - 0.25, 2) + Math.Pow(w[1] - 0.75, 2);

    [Fact]
    public void The_grid_scores_every_combination_once_in_order_and_finds_the_minimum()
    {
        var calls = new List<double[]>();
        WeightSearchResult r = MergeWeightSearch.Search(2, w => { calls.Add([.. w]); return Bowl(w); },
            new WeightSearchOptions { Method = WeightSearchMethod.Grid, Values = [0, 0.25, 0.75], Budget = 9 });

        r.Candidates.Should().HaveCount(9);
        calls.Should().HaveCount(9);
        r.Candidates.Select(c => c.Weights).Should().BeEquivalentTo(
            new[] { 0, 0.25, 0.75 }.SelectMany(a => new[] { 0, 0.25, 0.75 }.Select(b => new[] { a, b })), o => o.WithStrictOrdering());
        r.Best.Weights.Should().Equal(0.25, 0.75);
        r.Best.Score.Should().Be(0);
        r.Candidates.Select(c => c.Score).Should().Equal(r.Candidates.Select(c => Bowl(c.Weights)), "every candidate's score is recorded");
    }

    [Fact]
    public void The_coordinate_search_walks_to_the_minimum_never_rescoring_a_candidate_and_keeps_to_the_budget()
    {
        var seen = new HashSet<string>();
        WeightSearchResult r = MergeWeightSearch.Search(2, w =>
        {
            seen.Add(string.Join(',', w)).Should().BeTrue("a candidate is scored once");
            return Bowl(w);
        }, new WeightSearchOptions { Values = [0, 0.25, 0.5, 0.75, 1], Budget = 20 });

        r.Candidates[0].Weights.Should().Equal(0.5, 0.5);
        r.Best.Weights.Should().Equal(0.25, 0.75);
        r.Candidates.Count.Should().BeLessThanOrEqualTo(20);

        WeightSearchResult cut = MergeWeightSearch.Search(2, Bowl, new WeightSearchOptions { Values = [0, 0.25, 0.5, 0.75, 1], Budget = 3 });
        cut.Candidates.Should().HaveCount(3);
    }

    [Fact]
    public void A_nan_score_never_wins_and_bad_options_are_clear_errors()
    {
        WeightSearchResult r = MergeWeightSearch.Search(1, w => w[0] == 0 ? double.NaN : w[0],
            new WeightSearchOptions { Method = WeightSearchMethod.Grid, Values = [0, 1, 0.5], Budget = 3 });
        r.Best.Weights.Should().Equal(0.5);

        FluentActions.Invoking(() => MergeWeightSearch.Search(4, Bowl, new WeightSearchOptions { Method = WeightSearchMethod.Grid, Budget = 10 }))
            .Should().Throw<ArgumentException>().WithMessage("*5^4 = 625 candidates exceeds the budget of 10*");
        FluentActions.Invoking(() => MergeWeightSearch.Search(2, Bowl, new WeightSearchOptions { Start = [1] }))
            .Should().Throw<ArgumentException>().WithMessage("*Start must hold 2 finite weights*");
    }
}
