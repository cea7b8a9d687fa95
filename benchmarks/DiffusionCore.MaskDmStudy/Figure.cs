using System.Text.Json;

namespace DiffusionCore.MaskDmStudy;

/// <summary>The study's figure: FD-FMNIST against the training CPU budget, one line per arm family (scratch, 50 %, 90 %).</summary>
internal static class Figure
{
    public static void Run(string results, string png)
    {
        var rows = File.ReadLines(results).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        var plot = new ScottPlot.Plot();
        foreach ((string prefix, string label) in new[] { ("scratch-", "from scratch"), ("mask50-", "50 % masked, then fine-tuned"), ("mask90-", "90 % masked, then fine-tuned") })
        {
            var points = rows.Where(r => r.GetProperty("name").GetString()!.StartsWith(prefix, StringComparison.Ordinal) && r.TryGetProperty("fd_fmnist", out _))
                .Select(r => (Cpu: r.GetProperty("train_cpu_s").GetDouble(), Fd: r.GetProperty("fd_fmnist").GetDouble()))
                .OrderBy(p => p.Cpu).ToArray();
            if (points.Length == 0) continue;
            var line = plot.Add.Scatter(points.Select(p => p.Cpu).ToArray(), points.Select(p => p.Fd).ToArray());
            line.LegendText = label;
            line.MarkerSize = 8;
        }

        plot.Title("MaskDM in miniature: small DiT, Fashion-MNIST 32×32");
        plot.XLabel("training CPU seconds (one intra-op thread)");
        plot.YLabel("FD-FMNIST (300 samples, lower is better)");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(png))!);
        plot.SavePng(png, 720, 440);
        Console.WriteLine($"wrote {png}");
    }
}
