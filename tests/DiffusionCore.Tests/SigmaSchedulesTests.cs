using System.Globalization;
using DiffusionCore.Schedules;

namespace DiffusionCore.Tests;

public class SigmaSchedulesTests
{
    // docs/recipes.md §1: the 18-step EDM grid as printed (each value to its printed precision).
    private static readonly string[] PrintedEdm18 =
    [
        "80", "57.6", "40.8", "28.4", "19.4", "12.9", "8.40", "5.32", "3.26", "1.92", "1.09", "0.585",
        "0.296", "0.140", "0.060", "0.023", "0.0075", "0.002", "0",
    ];

    [Fact]
    public void Karras_18_steps_reproduces_the_grid_printed_in_the_recipes()
    {
        double[] sigmas = SigmaSchedules.Karras(18);
        sigmas.Should().HaveCount(19);
        for (int i = 0; i < PrintedEdm18.Length; i++)
        {
            string printed = PrintedEdm18[i];
            int decimals = printed.Contains('.', StringComparison.Ordinal) ? printed.Length - printed.IndexOf('.', StringComparison.Ordinal) - 1 : 0;
            double tolerance = 0.5 * Math.Pow(10, -decimals) + 1e-12;
            sigmas[i].Should().BeApproximately(double.Parse(printed, CultureInfo.InvariantCulture), tolerance, $"σ_{i} prints as {printed}");
        }
    }

    [Fact]
    public void Karras_follows_equation_5_exactly()
    {
        const int n = 7;
        const double min = 0.01, max = 50, rho = 3;
        double[] sigmas = SigmaSchedules.Karras(n, min, max, rho);
        for (int i = 0; i < n; i++)
        {
            double expected = Math.Pow(Math.Pow(max, 1 / rho) + (i / (n - 1.0) * (Math.Pow(min, 1 / rho) - Math.Pow(max, 1 / rho))), rho);
            sigmas[i].Should().BeApproximately(expected, 1e-12 * expected);
        }

        sigmas[0].Should().BeApproximately(max, 1e-12);
        sigmas[n - 1].Should().BeApproximately(min, 1e-15);
        sigmas[n].Should().Be(0);
    }

    [Fact]
    public void Vp_discretisation_spans_sigma_of_one_down_to_sigma_of_epsilon_s()
    {
        var vp = VpNoiseLevel.Default;
        double[] sigmas = SigmaSchedules.Vp(10);
        sigmas[0].Should().BeApproximately(Math.Sqrt(Math.Exp((0.5 * 19.9) + 0.1) - 1), 1e-12);
        sigmas[9].Should().BeApproximately(vp.Sigma(1e-3), 1e-15);
        sigmas[5].Should().BeApproximately(vp.Sigma(1 + (5 / 9.0 * (1e-3 - 1))), 1e-12);
        sigmas[10].Should().Be(0);
        SigmaSchedules.Validate(sigmas);
    }

    [Fact]
    public void Ve_discretisation_is_geometric_between_100_and_0_02()
    {
        double[] sigmas = SigmaSchedules.Ve(12);
        sigmas[0].Should().BeApproximately(100, 1e-12);
        sigmas[11].Should().BeApproximately(0.02, 1e-15);
        double ratio = sigmas[1] / sigmas[0];
        for (int i = 1; i < 11; i++)
        {
            (sigmas[i + 1] / sigmas[i]).Should().BeApproximately(ratio, 1e-12);
        }

        SigmaSchedules.Exponential(12, 0.02, 100).Should().BeEquivalentTo(sigmas, o => o.Using<double>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-12)).WhenTypeIs<double>());
    }

    [Fact]
    public void Iddpm_discretisation_picks_u_at_rounded_indices_from_j0()
    {
        var table = new IddpmUTable();
        double[] sigmas = SigmaSchedules.Iddpm(10, table);
        for (int i = 0; i < 10; i++)
        {
            int j = (int)Math.Floor(8 + (991.0 / 9 * i) + 0.5);
            sigmas[i].Should().Be(table[j]);
        }

        sigmas[0].Should().Be(table[8]);
        sigmas[9].Should().Be(table[999]);
        sigmas[10].Should().Be(0);
        SigmaSchedules.Validate(sigmas);
    }

    [Fact]
    public void A_single_step_schedule_starts_at_sigma_max()
    {
        SigmaSchedules.Karras(1).Should().Equal(80, 0);
    }

    [Fact]
    public void Invalid_arguments_name_the_problem()
    {
        FluentActions.Invoking(() => SigmaSchedules.Karras(0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at least one step*");
        FluentActions.Invoking(() => SigmaSchedules.Karras(10, 5, 1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*sigmaMin < sigmaMax*");
        FluentActions.Invoking(() => SigmaSchedules.Validate([1.0, 2.0, 0.0])).Should().Throw<ArgumentException>().WithMessage("*decrease strictly*sigmas[1]*");
        FluentActions.Invoking(() => SigmaSchedules.Validate([1.0])).Should().Throw<ArgumentException>().WithMessage("*at least two*");
        FluentActions.Invoking(() => SigmaSchedules.Validate([1.0, double.NaN])).Should().Throw<ArgumentException>().WithMessage("*sigmas[1]*");
    }
}
