using DiffusionCore.Merge;
using ScottPlot;

namespace DiffusionCore.DeMeStudy;

/// <summary>
/// The search figure (ScottPlot): FD of every scored candidate against each range's merge weight, one colour per range,
/// with the best candidate's weights marked; a flat cloud means the weight matters little, a slope means it matters.
/// </summary>
internal static class SearchFigure
{
    private static readonly Color[] Palette = [Colors.SteelBlue, Colors.OrangeRed, Colors.SeaGreen, Colors.DarkViolet, Colors.Orange, Colors.Gray];

    public static void Save(WeightSearchResult search, int samples, string path)
    {
        int count = search.Candidates[0].Weights.Count;
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans"); // Debian's fonts-dejavu-core; elsewhere Skia's default font
        double[] scores = [.. search.Candidates.Select(c => c.Score)];
        for (int k = 0; k < count; k++)
        {
            // Offset each range's points a little so candidates that share a weight do not hide one another.
            double[] x = [.. search.Candidates.Select(c => c.Weights[k] + ((k - ((count - 1) / 2.0)) * 0.012))];
            var points = plot.Add.ScatterPoints(x, scores, Palette[k % Palette.Length]);
            points.MarkerSize = 9;
            points.LegendText = $"w{k} (range {k}{(k == 0 ? ", least noisy" : k == count - 1 ? ", noisiest" : string.Empty)})";
            var best = plot.Add.ScatterPoints(new[] { search.Best.Weights[k] + ((k - ((count - 1) / 2.0)) * 0.012) }, new[] { search.Best.Score }, Palette[k % Palette.Length]);
            best.MarkerShape = MarkerShape.OpenCircle;
            best.MarkerSize = 20;
        }

        plot.Title($"DeMe weight search: FD-FMNIST ({samples} samples) of each candidate merge θ₀ + Σ w_k τ_k");
        plot.XLabel("merge weight w_k");
        plot.YLabel($"FD-FMNIST, {samples} samples (lower is better)");
        plot.Legend.Alignment = Alignment.UpperRight;
        plot.ShowLegend();
        plot.SavePng(path, 900, 560);
    }
}
