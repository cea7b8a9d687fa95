using ScottPlot;

namespace DiffusionCore.Samples.FashionMnist.Plotting;

/// <summary>
/// The post-hoc sweep's figure (ScottPlot), as EDM2 draws it (Karras et al. 2024, Fig. 5): FD-FMNIST against the EMA
/// length σ_rel, one line per guidance scale, the chosen cell marked.
/// </summary>
internal static class SweepFigure
{
    public static void Save(IReadOnlyList<SweepStage.Cell> cells, int samplesPerCell, SweepStage.Cell chosen, GuideKind guide, string path, int width = 800, int height = 520)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(chosen);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans"); // Debian's fonts-dejavu-core (eng/ensure-deps.sh); elsewhere Skia's default font
        string method = guide == GuideKind.Auto ? "autoguidance" : "CFG";
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (IGrouping<double, SweepStage.Cell> line in cells.GroupBy(c => c.Guidance).OrderBy(g => g.Key))
        {
            SweepStage.Cell[] points = line.OrderBy(c => c.SigmaRel).ToArray();
            var scatter = plot.Add.Scatter(points.Select(c => c.SigmaRel).ToArray(), points.Select(c => c.FdFmnist).ToArray(), palette.GetColor(i++));
            scatter.LineWidth = 2;
            scatter.MarkerSize = 7;
            scatter.LegendText = $"{method} w = {line.Key:0.##}";
        }

        var best = plot.Add.Marker(chosen.SigmaRel, chosen.FdFmnist, MarkerShape.OpenCircle, 18, Colors.Black);
        best.LegendText = $"chosen: σ_rel {chosen.SigmaRel:0.###}, w {chosen.Guidance:0.##}";
        plot.Title($"Post-hoc EMA sweep: FD-FMNIST of {samplesPerCell} samples per point");
        plot.Axes.Bottom.Label.Text = "EMA length σ_rel";
        plot.Axes.Left.Label.Text = "FD-FMNIST (lower is better)";
        plot.Legend.Alignment = Alignment.UpperRight;
        plot.ShowLegend();
        plot.SavePng(path, width, height);
    }
}
