using DiffusionCore.NoiseLevels;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using DiffusionCore.Training.DeMe;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Tests.Support;

namespace DiffusionCore.Training.Tests.DeMe;

/// <summary>Range-restricted sampling (docs/recipes.md §5): range frequencies with and without escape, antithetic pairs, determinism.</summary>
public sealed class RangeRestrictedLossTests
{
    private const int Batch = 64;
    private const int Steps = 400;

    private static readonly long[] Shape = [Batch, 1, 2, 2];

    /// <summary>The σ (or timesteps) of <see cref="Steps"/> consecutive steps of a run with seed 5.</summary>
    private static List<double[]> Draws(ITrainingLoss loss, bool timesteps = false, int steps = Steps, int batch = Batch)
    {
        var result = new List<double[]>();
        int[] indices = [.. Enumerable.Range(0, batch)];
        for (int s = 0; s < steps; s++)
        {
            using var scope = new TensorScope();
            using var step = new TrainingStep(5, (long)s * batch, indices);
            NoiseDraw d = loss.Draw([batch, 1, 2, 2], step);
            result.Add((timesteps ? d.Timesteps! : d.Sigma).To(DType.Float64).ToArray<double>());
        }

        return result;
    }

    private static RangeRestrictedLoss Continuous(int range, double escape, bool antithetic = true) =>
        RangeRestrictedLoss.For(new EdmLoss(new ScalingDenoiser(0.5), pMean: -1.2, pStd: 1.2),
            new NoiseRangeOptions { Ranges = 4, Range = range, EscapeProbability = escape, Antithetic = antithetic });

    /// <summary>σ at probability u of EDM's log-normal (P_mean −1.2, P_std 1.2); Φ⁻¹ of 0.25 and 0.75 is ∓0.6744897501960817.</summary>
    private static readonly double[] Bounds = [0, Math.Exp(-1.2 - (1.2 * 0.6744897501960817)), Math.Exp(-1.2), Math.Exp(-1.2 + (1.2 * 0.6744897501960817)), double.PositiveInfinity];

    private static int RangeOf(double sigma) => Enumerable.Range(0, 4).First(k => sigma < Bounds[k + 1] * (1 + 1e-6));

    [Fact]
    public void The_standard_normal_quantile_matches_known_values()
    {
        using var scope = new TensorScope();
        double[] z = NoiseLevelQuantiles.StandardNormal(Tensor.FromArray(new[] { 0.5, 0.975, 0.1, 0.75, 1e-6, 1 - 1e-9 })).ToArray<double>();
        z.Should().Equal([0, 1.959963984540054, -1.2815515655446004, 0.6744897501960817, -4.753424308822899, 5.997807015007686],
            (a, b) => Math.Abs(a - b) <= 1e-7);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    public void Without_escape_every_sigma_lies_in_its_equal_probability_range_and_covers_it_evenly(int range)
    {
        double[] all = [.. Draws(Continuous(range, escape: 0)).SelectMany(d => d)];
        all.Select(RangeOf).Should().AllBeEquivalentTo(range);

        // Within the range, the lower and upper halves by probability (split at u = (2k + 1)/8) are equally likely.
        using var scope = new TensorScope();
        double middle = NoiseLevelQuantiles.For(new LogNormalNoiseLevels(-1.2, 1.2)).Quantile(Tensor.FromArray(new[] { (2 * range + 1) / 8.0 })).ToArray<double>()[0];
        double lowerShare = all.Count(s => s < middle) / (double)all.Length;
        lowerShare.Should().BeApproximately(0.5, 1e-3, "antithetic pairs put one sample of each pair in each half");
    }

    [Fact]
    public void With_escape_a_share_p_of_batches_draws_from_the_full_range()
    {
        const double p = 0.3;
        List<double[]> batches = Draws(Continuous(1, escape: p));
        int escaped = batches.Count(b => b.Any(s => RangeOf(s) != 1));
        double share = escaped / (double)Steps;
        share.Should().BeApproximately(p, 0.08, "binomial(400, 0.3) has a standard deviation of 0.023");

        // Escaped batches cover all four ranges equally; the others stay in range 1.
        double[] outside = [.. batches.Where(b => b.Any(s => RangeOf(s) != 1)).SelectMany(b => b)];
        foreach (int k in new[] { 0, 1, 2, 3 })
        {
            (outside.Count(s => RangeOf(s) == k) / (double)outside.Length).Should().BeApproximately(0.25, 0.03);
        }

        // Overall, range 1 gets (1 − p) + p/4 of the samples, each other range p/4.
        double[] all = [.. batches.SelectMany(b => b)];
        (all.Count(s => RangeOf(s) == 1) / (double)all.Length).Should().BeApproximately((1 - p) + (p / 4), 0.08);
    }

    [Fact]
    public void Discrete_ranges_are_equal_runs_of_timesteps_with_escape_and_antithetic_pairs()
    {
        var schedule = DiscreteSchedule.Linear(1000);
        var loss = RangeRestrictedLoss.For(new DdpmEpsilonLoss(new FixedOutputNetwork(Tensor.Zeros([Batch, 1, 2, 2])), schedule),
            new NoiseRangeOptions { Ranges = 4, Range = 2, EscapeProbability = 0 });
        double[] t = [.. Draws(loss, timesteps: true, steps: 50).SelectMany(d => d)];
        t.Should().OnlyContain(v => v >= 500 && v < 750);
        t.Distinct().Count().Should().BeGreaterThan(200, "the draws spread over the run of 250 timesteps");

        foreach (double[] batch in Draws(loss, timesteps: true, steps: 20))
        {
            for (int j = 0; j < Batch / 2; j++) (batch[j] + batch[j + (Batch / 2)]).Should().Be(500 + 750 - 1);
        }

        var escaping = RangeRestrictedLoss.For(new DdpmEpsilonLoss(new FixedOutputNetwork(Tensor.Zeros([Batch, 1, 2, 2])), schedule),
            new NoiseRangeOptions { Ranges = 4, Range = 2, EscapeProbability = 1 });
        foreach (double[] batch in Draws(escaping, timesteps: true, steps: 20))
        {
            for (int j = 0; j < Batch / 2; j++) (batch[j] + batch[j + (Batch / 2)]).Should().Be(999, "an escaped batch pairs over the full range 0 … 999");
        }
    }

    [Theory]
    [InlineData(64)]
    [InlineData(7)]
    public void Antithetic_pairs_mirror_each_other_in_probability(int batch)
    {
        // With escape probability 1 every batch spans the full log-normal, where u ↦ 1 − u mirrors ln σ about P_mean.
        ITrainingLoss loss = Continuous(0, escape: 1);
        int half = (batch + 1) / 2;
        foreach (double[] sigma in Draws(loss, steps: 10, batch: batch))
        {
            for (int j = 0; j < batch - half; j++)
            {
                (Math.Log(sigma[j]) + Math.Log(sigma[j + half])).Should().BeApproximately(2 * -1.2, 1e-5);
            }
        }

        // Without pairing the same mirror relation does not hold.
        double[] unpaired = Draws(Continuous(0, escape: 1, antithetic: false), steps: 1, batch: batch)[0];
        Enumerable.Range(0, batch - half).Count(j => Math.Abs(Math.Log(unpaired[j]) + Math.Log(unpaired[j + half]) + 2.4) < 1e-5).Should().Be(0);
    }

    [Fact]
    public void A_step_draws_the_same_values_whenever_it_is_replayed_so_a_resumed_fine_tune_is_bit_exact()
    {
        ITrainingLoss loss = Continuous(2, escape: 0.3);
        List<double[]> first = Draws(loss, steps: 30);
        List<double[]> again = Draws(Continuous(2, escape: 0.3), steps: 30);
        again.Should().BeEquivalentTo(first, o => o.WithStrictOrdering());
        first[0].Should().NotEqual(first[1], "each step has its own stream");
    }

    [Fact]
    public void Bad_options_and_unknown_distributions_are_clear_errors()
    {
        FluentActions.Invoking(() => Continuous(4, 0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Range must be in 0 … 3*");
        FluentActions.Invoking(() => Continuous(0, 1.5)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*EscapeProbability*");
        FluentActions.Invoking(() => NoiseLevelQuantiles.For(new UniformTimestepNoiseLevels(DiscreteSchedule.Linear(1000))))
            .Should().Throw<ArgumentException>().WithMessage("*implement INoiseLevelQuantile*");
    }
}
