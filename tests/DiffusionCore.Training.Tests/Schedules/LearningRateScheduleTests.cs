using DiffusionCore.Training.Schedules;

namespace DiffusionCore.Training.Tests.Schedules;

public class LearningRateScheduleTests
{
    [Fact]
    public void Edm2_inverse_sqrt_schedule_matches_its_closed_form()
    {
        var s = new InverseSqrtLearningRate(0.01, referenceBatches: 100, batchSize: 64, rampUpImages: 1000);
        s.LearningRate(0).Should().Be(0);
        s.LearningRate(500).Should().BeApproximately(0.005, 1e-15);            // ramp-up
        s.LearningRate(1000).Should().BeApproximately(0.01, 1e-15);            // plateau
        s.LearningRate(6400).Should().BeApproximately(0.01, 1e-15);            // n = ref_batches·batch
        s.LearningRate(4 * 6400).Should().BeApproximately(0.005, 1e-15);       // 1/√4
        s.LearningRate(100 * 6400).Should().BeApproximately(0.001, 1e-15);     // 1/√100
    }

    [Fact]
    public void Linear_warmup_and_constant_schedules_match_their_closed_forms()
    {
        var w = new LinearWarmupLearningRate(2e-4, 10_000);
        w.LearningRate(0).Should().Be(0);
        w.LearningRate(2_500).Should().BeApproximately(5e-5, 1e-18);
        w.LearningRate(50_000).Should().Be(2e-4);
        new LinearWarmupLearningRate(1e-3, 0).LearningRate(0).Should().Be(1e-3);
        new ConstantLearningRate(1e-4).LearningRate(123_456).Should().Be(1e-4);
    }

    [Fact]
    public void Negative_rates_are_rejected()
    {
        FluentActions.Invoking(() => new ConstantLearningRate(-1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*non-negative*");
    }
}
