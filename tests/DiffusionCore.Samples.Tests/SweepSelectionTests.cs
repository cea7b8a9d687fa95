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

        SweepStage.Choose(cells).Should().Be(new SweepStage.Choice(cells[3], AgreementMet: true));
    }

    [Fact]
    public void Equal_fds_keep_the_first_and_a_nan_is_never_chosen()
    {
        SweepStage.Cell[] cells = [new(0.05, 2, double.NaN, null), new(0.10, 2, 50, 0.9), new(0.15, 2, 50, 0.95), new(0.2, 2, double.PositiveInfinity, null)];

        SweepStage.Choose(cells).Should().Be(new SweepStage.Choice(cells[1], AgreementMet: true));
    }

    [Fact]
    public void No_finite_fd_is_an_error_naming_the_problem()
    {
        Action choose = () => SweepStage.Choose([new(0.05, 2, double.NaN, null)]);

        choose.Should().Throw<ArgumentException>().WithMessage("None of the 1 sweep cells has a finite FD*");
    }

    [Fact]
    public void With_a_least_agreement_the_lowest_fd_among_the_cells_reaching_it_is_chosen()
    {
        SweepStage.Cell[] cells =
        [
            new(0.04, 1.5, 14.5, 0.896), new(0.04, 2, 16, 0.95), new(0.07, 2, 15.2, 0.951), new(0.07, 3, 15.2, 0.97), new(0.10, 3, double.NaN, 0.99),
        ];

        SweepStage.Choose(cells, 0.95).Should().Be(new SweepStage.Choice(cells[2], AgreementMet: true), "0.95 is reached exactly by cells[1], and cells[2] is the first of the equal FDs");
        SweepStage.Choose(cells, 0.96).Should().Be(new SweepStage.Choice(cells[3], AgreementMet: true), "the NaN cell's agreement does not count");
        SweepStage.Choose(cells, 0).Should().Be(new SweepStage.Choice(cells[0], AgreementMet: true));
    }

    [Fact]
    public void When_no_cell_reaches_the_agreement_the_highest_agreement_is_chosen_and_ties_go_to_the_lower_fd()
    {
        SweepStage.Cell[] cells =
        [
            new(0.04, 1.5, 14.5, 0.80), new(0.04, 3, double.NaN, 0.99), new(0.07, 2, 18, 0.91), new(0.07, 3, 17, 0.91), new(0.10, 3, 16, null),
            new(0.15, 3, 17, 0.91),
        ];

        SweepStage.Choose(cells, 0.95).Should().Be(new SweepStage.Choice(cells[3], AgreementMet: false));
    }

    [Fact]
    public void Cells_without_an_agreement_reach_only_a_least_agreement_of_zero()
    {
        SweepStage.Cell[] cells = [new(0.04, 2, 20, null), new(0.07, 2, 30, null)];

        SweepStage.Choose(cells, 0).Should().Be(new SweepStage.Choice(cells[0], AgreementMet: true));
        SweepStage.Choose(cells, 0.5).Should().Be(new SweepStage.Choice(cells[0], AgreementMet: false), "with no agreement known the lower FD decides");
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_least_agreement_outside_0_to_1_is_an_error_naming_it(double minAgreement)
    {
        Action choose = () => SweepStage.Choose([new(0.05, 2, 10, 0.9)], minAgreement);

        choose.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(minAgreement)).WithMessage("The least class agreement must be in [0, 1]*");
    }
}
