using System.CommandLine;
using DiffusionCore.Samples.Cli;

namespace DiffusionCore.ControlStudy;

/// <summary>
/// Entry point of the control-conditioning study (docs/control-conditioning.md): <c>train</c> each arm, then
/// <c>sweep</c> (disentanglement) and <c>guidance</c> (separate scales); study 2 (resolution transfer) is
/// <c>transfer-train</c>, <c>transfer-eval</c> and <c>transfer-figure</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        Option<ControlArm> arm = ChoiceOption.Choice("--arm", "summed (gate 1) or gated (cosine gate)", ControlArm.Gated);
        var run = new Option<string>("--run") { Description = "the arm's run directory", DefaultValueFactory = _ => "runs/control-gated" };
        Option<long> images = TypedOption.Positive("--images", "training budget in images (an upper bound with --cpu-seconds)", 40_000L);
        Option<double> cpuSeconds = TypedOption.Positive("--cpu-seconds", "training budget in process CPU seconds of the training loop (1 intra-op thread)", 200.0);
        Option<int> samples = TypedOption.Positive("--samples", "images per setting", 200);
        Option<double> guidance = TypedOption.Number("--guidance", "class guidance scale of the sweep", 1.0);
        var output = new Option<string>("--out") { Description = "folder of the tables and figures", DefaultValueFactory = _ => "runs/control-study" };

        var train = new Command("train", "trains one arm (the job's EDM2 UNet with a control path) with crop/flip controls and control dropout");
        foreach (Option o in new Option[] { arm, run, images, cpuSeconds }) train.Options.Add(o);
        train.SetAction(p => TrainArm.Run(p.GetValue(arm), p.GetValue(run)!, p.GetValue(images), p.GetValue(cpuSeconds)));

        var sweep = new Command("sweep", "sweeps the controls at fixed seeds and classes: FD, class agreement, class-change rate, figure");
        foreach (Option o in new Option[] { arm, run, samples, guidance, output }) sweep.Options.Add(o);
        sweep.SetAction(p => DisentanglementSweep.Run(p.GetValue(arm), p.GetValue(run)!, p.GetValue(samples), p.GetValue(guidance), p.GetValue(output)!));

        var grid = new Command("guidance", "grid of (semantic, control) guidance scales on the gated arm");
        foreach (Option o in new Option[] { run, samples, output }) grid.Options.Add(o);
        grid.SetAction(p => GuidanceGrid.Run(p.GetValue(run)!, p.GetValue(samples), [1, 2], [0, 1, 2], p.GetValue(output)!));

        var root = new RootCommand("Control-conditioning study on Fashion-MNIST (docs/control-conditioning.md).");
        root.Subcommands.Add(train);
        root.Subcommands.Add(sweep);
        root.Subcommands.Add(grid);
        foreach (Command c in TransferCommands.Create()) root.Subcommands.Add(c);
        return CommandLineApp.Run(root, args);
    }
}
