using System.Globalization;
using System.Text.Json;

namespace DiffusionCore.ControlStudy;

/// <summary>Study 2's table (markdown) and figure (ScottPlot: FD-FMNIST against the training CPU budget, one line per arm) from the results file.</summary>
internal static class TransferFigure
{
    public static void Run(string results, string png, string table)
    {
        TransferScore[] scores = File.ReadLines(results).Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<TransferScore>(l)!).ToArray();
        if (scores.Length == 0) throw new InvalidDataException($"{results} holds no scores: run `transfer-eval` first.");
        var lines = new List<string>
        {
            "| arm | budget (CPU-s) | used: 16² + 32² (CPU-s) | images 16² / 32² | shift | FD-FMNIST | class agreement |",
            "|---|---:|---:|---:|---:|---:|---:|",
        };
        var plot = new ScottPlot.Plot();
        foreach (IGrouping<string, TransferScore> arm in scores.GroupBy(s => s.Arm))
        {
            TransferScore[] points = arm.OrderBy(s => s.NominalBudget).ToArray();
            var line = plot.Add.Scatter(points.Select(p => p.BudgetCpuSeconds).ToArray(), points.Select(p => p.FrechetDistance).ToArray());
            line.LegendText = arm.Key;
            line.MarkerSize = 8;
            lines.AddRange(points.Select(p => string.Create(CultureInfo.InvariantCulture,
                $"| {p.Arm} | {p.NominalBudget:F0} | {p.SourceCpuSeconds:F0} + {p.TrainCpuSeconds:F0} = {p.BudgetCpuSeconds:F0} | {p.SourceImages:N0} / {p.Images:N0} | {p.Shift:0.##} | {p.FrechetDistance:F1} | {100 * p.ClassAgreement:F1} % |")));
        }

        TransferScore first = scores[0];
        plot.Title("Fashion-MNIST 32²: 16² → 32² transfer vs from scratch");
        plot.XLabel("training CPU seconds, both stages (one intra-op thread)");
        plot.YLabel(string.Create(CultureInfo.InvariantCulture, $"FD-FMNIST ({first.Samples} samples, lower is better)"));
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(png))!);
        plot.SavePng(png, 720, 440);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(table))!);
        File.WriteAllLines(table, lines);
        lines.ForEach(Console.WriteLine);
        Console.WriteLine($"wrote {png} and {table}");
    }
}
