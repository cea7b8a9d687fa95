using DiffusionCore.Samples.FashionMnist;

namespace DiffusionCore.Samples.Tests;

/// <summary>The post-hoc sweep's choice of EMA length and guidance scale (<see cref="SweepStage.Choose"/>).</summary>
public sealed class SweepSelectionTests
{
    [Fact]
    public void The_cell_of_lowest_fd_is_chosen()
    {
        SweepStage.Cell[] cells =
        [
            new(0.05, 1.5, 80, 0.8), new(0.05, 2, 70, 0.9), new(0.10, 1.5, 75, 0.85), new(0.10, 2, 64.5, 0.93), new(0.15, 2, 66, 0.95),
        ];

        SweepStage.Choose(cells).Should().Be(cells[3]);
    }

    [Fact]
    public void Equal_fds_keep_the_first_and_a_nan_is_never_chosen()
    {
        SweepStage.Cell[] cells = [new(0.05, 2, double.NaN, null), new(0.10, 2, 50, 0.9), new(0.15, 2, 50, 0.95), new(0.2, 2, double.PositiveInfinity, null)];

        SweepStage.Choose(cells).Should().Be(cells[1]);
    }

    [Fact]
    public void No_finite_fd_is_an_error_naming_the_problem()
    {
        Action choose = () => SweepStage.Choose([new(0.05, 2, double.NaN, null)]);

        choose.Should().Throw<ArgumentException>().WithMessage("None of the 1 sweep cells has a finite FD*");
    }
}
