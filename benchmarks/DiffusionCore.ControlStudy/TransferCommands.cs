using System.CommandLine;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Samples.Cli;

namespace DiffusionCore.ControlStudy;

/// <summary>The commands of study 2 (resolution transfer): <c>transfer-train</c>, <c>transfer-eval</c>, <c>transfer-figure</c>.</summary>
internal static class TransferCommands
{
    public static IEnumerable<Command> Create()
    {
        var run = new Option<string>("--run") { Description = "the stage's run directory (resumed when it holds a checkpoint)", Required = true };
        Option<int> resolution = ChoiceOption.Choice("--resolution", "training resolution (16: Fashion-MNIST 2×2-pooled; 32: zero-padded)",
            TransferModel.HighResolution, [("16", TransferModel.LowResolution), ("32", TransferModel.HighResolution)]);
        Option<double> cpuSeconds = TypedOption.Positive("--cpu-seconds", "the arm's cumulative training-loop CPU seconds to reach, a transfer's 16² source included (1 intra-op thread)", 300.0);
        var from = new Option<string?>("--from") { Description = "a 16² run whose EMA weights start this new 32² run (resolution transfer)" };
        Option<PositionEmbeddingResampling> resampling = ChoiceOption.Choice("--resampling",
            "position embedding of a transfer: spanreferencegrid (resampled) or integerpositions (naive extension)", PositionEmbeddingResampling.SpanReferenceGrid);
        var shift = new Option<bool>("--shift") { Description = "shift the 32² noise levels of a transfer by s = √(pixel ratio) = 2 (training and sampling)", DefaultValueFactory = _ => true };
        var train = new Command("transfer-train", "study 2: one training stage of the transfer DiT (16² pre-training, 32² after a transfer, or 32² from scratch)");
        foreach (Option o in new Option[] { run, resolution, cpuSeconds, from, resampling, shift }) train.Options.Add(o);
        train.SetAction(p => TransferTrain.Run(p.GetValue(resolution), p.GetValue(run)!, p.GetValue(cpuSeconds), p.GetValue(from), p.GetValue(resampling), p.GetValue(shift)));

        var arm = new Option<string>("--arm") { Description = "the arm's name in the table and figure", Required = true };
        Option<double> budget = TypedOption.Positive("--budget", "the arm's nominal budget in CPU seconds (the table's row)", 300.0);
        Option<int> samples = TypedOption.Positive("--samples", "images to generate and score", 500);
        Option<int> steps = TypedOption.Positive("--steps", "DPM-Solver++(2M) steps", 12);
        Option<double> guidance = TypedOption.Number("--guidance", "classifier-free guidance scale w (1 = none)", 2.0);
        var results = new Option<string>("--results") { Description = "JSON-lines file the score is appended to", DefaultValueFactory = _ => "runs/transfer/results.jsonl" };
        var grid = new Option<string?>("--grid") { Description = "PNG of the first 100 samples (10 per class)" };
        var eval = new Command("transfer-eval", "study 2: samples a 32² run and appends its FD-FMNIST and class agreement to the results");
        foreach (Option o in new Option[] { arm, budget, run, samples, steps, guidance, results, grid }) eval.Options.Add(o);
        eval.SetAction(p => TransferEvaluation.Run(p.GetValue(arm)!, p.GetValue(budget), p.GetValue(run)!, p.GetValue(samples), p.GetValue(steps), p.GetValue(guidance), p.GetValue(results)!, p.GetValue(grid)));

        var png = new Option<string>("--png") { Description = "the figure", DefaultValueFactory = _ => "runs/transfer/fd-vs-budget.png" };
        var table = new Option<string>("--table") { Description = "the markdown table", DefaultValueFactory = _ => "runs/transfer/table.md" };
        var figure = new Command("transfer-figure", "study 2: table and figure (FD-FMNIST against the budget per arm) from the results");
        foreach (Option o in new Option[] { results, png, table }) figure.Options.Add(o);
        figure.SetAction(p => TransferFigure.Run(p.GetValue(results)!, p.GetValue(png)!, p.GetValue(table)!));
        return [train, eval, figure];
    }
}
