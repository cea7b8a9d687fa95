using DiffusionCore.Samples.FashionMnist;

namespace DiffusionCore.Samples.Tests;

/// <summary>When the job writes EMA snapshots (<see cref="SnapshotPlan"/>): regular in images seen, bounded in number.</summary>
public sealed class SnapshotPlanTests
{
    [Fact]
    public void A_budget_in_images_gives_the_count_at_a_regular_interval()
    {
        SnapshotPlan plan = SnapshotPlan.ForImages(28_000, 16);

        long[] due = Steps(plan, batch: 64, steps: 28_000 / 64 + 1, secondsPerStep: 0.4);

        due.Should().HaveCount(16);
        plan.IntervalImages.Should().Be(1_750);
        due.Zip(due.Skip(1), (a, b) => b - a).Should().OnlyContain(d => d >= 1_728 && d <= 1_792);
    }

    [Fact]
    public void A_budget_in_time_fixes_the_interval_from_the_speed_after_a_twentieth_of_it()
    {
        // 100 s at 160 images/s: 16,000 images, so one snapshot every 1,000 images.
        SnapshotPlan plan = SnapshotPlan.ForTime(100, 16);

        long[] due = Steps(plan, batch: 32, steps: 500, secondsPerStep: 0.2);

        plan.IntervalImages.Should().Be(1_000);
        due.Should().HaveCount(16);
        due[0].Should().Be(1_024);
    }

    [Fact]
    public void A_slow_start_cannot_make_more_snapshots_than_asked()
    {
        // The speed measured early is a tenth of the later one: the interval comes out ten times too short.
        SnapshotPlan plan = SnapshotPlan.ForTime(100, 8);
        var due = new List<long>();
        long images = 0;
        double t = 0;
        for (int i = 0; i < 1_000; i++)
        {
            t += t < 5 ? 1.0 : 0.1;
            images += 32;
            if (plan.IsDue(images, 32, t)) due.Add(images);
        }

        due.Should().HaveCount(8);
    }

    private static long[] Steps(SnapshotPlan plan, int batch, int steps, double secondsPerStep)
    {
        var due = new List<long>();
        for (int i = 1; i <= steps; i++)
        {
            if (plan.IsDue((long)i * batch, batch, i * secondsPerStep)) due.Add((long)i * batch);
        }

        return [.. due];
    }
}
