using DiffusionCore.Samples.FashionMnist.Plotting;
using SkiaSharp;

namespace DiffusionCore.Samples.Tests;

/// <summary>curves.png (ScottPlot) and the choice of log axes.</summary>
public sealed class TrainingCurvesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("diffusioncore-curves-").FullName;

    [Theory]
    [InlineData(new[] { 1.0, 10.0 }, true)]
    [InlineData(new[] { 0.002, 0.5, 3.0 }, true)]
    [InlineData(new[] { 1.0, 9.99 }, false)]
    [InlineData(new[] { 0.0, 5.0, 100.0 }, false)]
    [InlineData(new[] { -500.0, 2300.0 }, false)]
    [InlineData(new double[0], false)]
    public void A_log_axis_suits_positive_values_spanning_a_decade(double[] values, bool suits) =>
        LogScale.Suits(values).Should().Be(suits);

    [Fact]
    public void Log_values_are_log10_with_nan_where_a_log_axis_has_no_place() =>
        LogScale.Of([1000, 0.01, 0, -2]).Should().Equal([3, -2, double.NaN, double.NaN]);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_figure_is_a_png_of_the_requested_size(bool lossTurnsNegative)
    {
        // The learning rate is 0 at the first report (left out of its log axis), then ramps up linearly.
        var points = Enumerable.Range(1, 400)
            .Select(i => (64L * i, lossTurnsNegative ? 2400.0 - (8.0 * i) : 2400.0 / i, 0.01 * Math.Min(1, 64.0 * (i - 1) / 10_000)))
            .ToList();
        string path = Path.Combine(_dir, "curves.png");

        TrainingCurves.Save(points, path, width: 640, height: 720);

        using SKBitmap png = SKBitmap.Decode(path);
        png.Should().NotBeNull();
        (png.Width, png.Height).Should().Be((640, 720));
    }

    [Fact]
    public void An_empty_history_still_gives_a_figure()
    {
        string path = Path.Combine(_dir, "empty.png");

        TrainingCurves.Save([], path);

        using SKBitmap png = SKBitmap.Decode(path);
        (png.Width, png.Height).Should().Be((900, 960));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
