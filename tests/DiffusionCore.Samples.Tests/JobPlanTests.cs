using DiffusionCore.Samples.FashionMnist;

namespace DiffusionCore.Samples.Tests;

/// <summary>How <c>--minutes</c> is shared between the job's stages (<see cref="JobPlan"/>).</summary>
public sealed class JobPlanTests
{
    // 15 minutes, 5 ms per guided image call, 10 NFE, 2,100 final images, 5 × 3 sweep cells, CFG.
    private static readonly JobPlan.Inputs FifteenMinutes = new(900, 12, 0.005, 10, 2_100, 5, 3, null, 0);

    [Fact]
    public void The_stages_add_up_to_the_whole_time()
    {
        JobPlan plan = JobPlan.Create(FifteenMinutes);

        plan.FinalSamplingSeconds.Should().BeApproximately(2_100 * 0.005 * 10, 1e-9);
        plan.SweepSeconds.Should().BeApproximately(plan.SweepSamples * 15 * 0.05, 1e-9);
        (12 + plan.GuideTrainingSeconds + plan.TrainingSeconds + plan.SweepSeconds + plan.FinalSamplingSeconds + plan.OverheadSeconds)
            .Should().BeApproximately(900, 1e-6);
        plan.GuideTrainingSeconds.Should().Be(0);
        plan.TrainingSeconds.Should().BeGreaterThan(0.7 * 900);
    }

    [Fact]
    public void The_sweep_gets_about_a_tenth_of_the_time_within_its_sample_bounds()
    {
        // 10 % of 900 s over 15 cells at 0.05 s per image: 120 images per cell.
        JobPlan.Create(FifteenMinutes).SweepSamples.Should().Be(120);
        JobPlan.Create(FifteenMinutes with { SecondsPerImageCall = 0.0001 }).SweepSamples.Should().Be(JobPlan.MaxSweepSamples);
        JobPlan.Create(FifteenMinutes with { TotalSeconds = 3_000, SecondsPerImageCall = 0.02 }).SweepSamples.Should().Be(JobPlan.MinSweepSamples);
        JobPlan.Create(FifteenMinutes with { SweepSamples = 33 }).SweepSamples.Should().Be(33);
    }

    [Fact]
    public void A_single_cell_is_no_sweep()
    {
        JobPlan plan = JobPlan.Create(FifteenMinutes with { SigmaRels = 1, Guidances = 1 });

        plan.SweepSamples.Should().Be(0);
        plan.SweepSeconds.Should().Be(0);
    }

    [Fact]
    public void The_autoguidance_guide_takes_its_share_of_the_training()
    {
        JobPlan cfg = JobPlan.Create(FifteenMinutes);
        JobPlan auto = JobPlan.Create(FifteenMinutes with { GuideShare = 0.2 });

        auto.GuideTrainingSeconds.Should().BeApproximately(0.2 * cfg.TrainingSeconds, 1e-9);
        (auto.GuideTrainingSeconds + auto.TrainingSeconds).Should().BeApproximately(cfg.TrainingSeconds, 1e-9);
    }

    [Fact]
    public void Minutes_too_short_to_train_are_refused_with_the_minutes_needed()
    {
        JobPlan.Inputs tooShort = FifteenMinutes with { TotalSeconds = 120 };

        Action plan = () => JobPlan.Create(tooShort);

        string message = plan.Should().Throw<ArgumentOutOfRangeException>().Which.Message;
        message.Should().StartWith("--minutes 2 is too short").And.Contain("Give at least --minutes ");
        string needed = message[(message.IndexOf("Give at least --minutes ", StringComparison.Ordinal) + 24)..].Split(',')[0];
        double minutes = double.Parse(needed, System.Globalization.CultureInfo.InvariantCulture);
        minutes.Should().BeGreaterThan(2);
        JobPlan.Create(tooShort with { TotalSeconds = minutes * 60, SweepSamples = JobPlan.MinSweepSamples }).TrainingSeconds
            .Should().BeGreaterThanOrEqualTo(JobPlan.MinTrainingSeconds);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(double.NaN, 10)]
    [InlineData(0.005, 0)]
    public void A_cost_that_is_not_positive_is_refused(double secondsPerCall, int nfe)
    {
        Action plan = () => JobPlan.Create(FifteenMinutes with { SecondsPerImageCall = secondsPerCall, FunctionEvaluations = nfe });

        plan.Should().Throw<ArgumentOutOfRangeException>();
    }
}
