using System.CommandLine;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Training.Masking;

namespace DiffusionCore.MaskDmStudy;

/// <summary>
/// The MaskDM study (docs/maskdm.md; benchmarks/maskdm-study.sh runs it): <c>steptime</c> times a training step of the
/// study DiT at one mask ratio; <c>arm</c> trains one arm (scratch, masked pre-training then fine-tuning, or transfer)
/// and scores it.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = new RootCommand("MaskDM masked pre-training study on Fashion-MNIST 32×32 (docs/maskdm.md)");
        var runRoot = new Option<string>("--run-root") { Description = "folder of the arms' run directories", DefaultValueFactory = _ => "runs/maskdm" };
        Option<double> ratio = TypedOption.Number("--mask-ratio", "fraction of tokens masked during pre-training, in [0, 1) (0 = no masking)", 0.0, v => v is >= 0 and < 1, "in [0, 1)");
        Option<int> block = TypedOption.Positive("--block", "mask block side in tokens (the 8×8 grid: 1, 2, 4 or 8)", 2);
        Option<TokenMaskKind> kind = ChoiceOption.Choice("--mask-kind", "mask shape", TokenMaskKind.Blocks);
        Option<int> batch = TypedOption.Positive("--batch", "images per step", 64);

        Option<int> steps = TypedOption.Positive("--steps", "timed steps", 12);
        Option<int> warmup = TypedOption.Positive("--warmup", "untimed warm-up steps", 3);
        Option<int> threads = TypedOption.Positive("--threads", "libtorch intra-op threads", 1);
        var stepTime = new Command("steptime", "times training steps of the study DiT at one mask ratio (block masks)");
        foreach (Option o in new Option[] { runRoot, ratio, block, batch, steps, warmup, threads }) stepTime.Options.Add(o);
        stepTime.SetAction(p => StepTime.Run(p.GetValue(ratio), p.GetValue(block), p.GetValue(steps), p.GetValue(warmup), p.GetValue(batch), p.GetValue(threads), p.GetValue(runRoot)!));

        var name = new Option<string>("--name") { Description = "the arm's name (run directory, grid file, table row)", Required = true };
        Option<long> pretrain = TypedOption.Number("--pretrain-images", "images of masked pre-training (the rest fine-tunes unmasked)", 0L, v => v >= 0, "≥ 0");
        Option<long> total = TypedOption.Positive("--total-images", "total training images", 20_000L);
        var classes = new Option<string>("--classes") { Description = "training classes: all, or a range such as 0-4", DefaultValueFactory = _ => "all" };
        Option<int?> maxImages = TypedOption.OptionalPositive<int>("--max-images", "use only the first N training images of those classes");
        var initFrom = new Option<string?>("--init-from") { Description = "start from the newest checkpoint of this run directory" };
        Option<int> samples = TypedOption.Number("--samples", "images generated for FD-FMNIST (0 = no evaluation)", 1000, v => v >= 0, "≥ 0");
        Option<int> samplerSteps = TypedOption.Positive("--sampler-steps", "Heun steps (2N − 1 network calls)", 18);
        Option<double> lr = TypedOption.Number("--lr", "AdamW learning rate (constant)", 1e-3, v => v > 0, "> 0");
        Option<long> seed = TypedOption.Number("--seed", "run seed", 1L);
        var output = new Option<string?>("--out") { Description = "append the arm's JSON line to FILE" };
        var grid = new Option<string?>("--grid-dir") { Description = "write the arm's 10×10 sample grid to DIR/NAME.png" };
        var arm = new Command("arm", "trains and scores one arm");
        foreach (Option o in new Option[] { runRoot, name, ratio, kind, block, pretrain, total, classes, maxImages, initFrom, samples, samplerSteps, lr, batch, seed, output, grid }) arm.Options.Add(o);
        arm.SetAction(p => Arm.Run(new ArmOptions
        {
            Name = p.GetValue(name)!,
            RunRoot = p.GetValue(runRoot)!,
            MaskRatio = p.GetValue(ratio),
            MaskKind = p.GetValue(kind),
            BlockSize = p.GetValue(block),
            PretrainImages = p.GetValue(pretrain),
            TotalImages = p.GetValue(total),
            Classes = ParseClasses(p.GetValue(classes)!),
            MaxImages = p.GetValue(maxImages),
            InitFrom = p.GetValue(initFrom),
            Samples = p.GetValue(samples),
            SamplerSteps = p.GetValue(samplerSteps),
            LearningRate = p.GetValue(lr),
            BatchSize = p.GetValue(batch),
            Seed = p.GetValue(seed),
            Out = p.GetValue(output),
            GridDirectory = p.GetValue(grid),
        }));

        var results = new Option<string>("--results") { Description = "the arms' JSON lines", DefaultValueFactory = _ => "benchmarks/results/maskdm/results.jsonl" };
        var png = new Option<string>("--png") { Description = "the figure to write", DefaultValueFactory = _ => "docs/images/maskdm/fd-vs-budget.png" };
        var figure = new Command("figure", "plots FD-FMNIST against the training CPU budget from the arms' results");
        figure.Options.Add(results);
        figure.Options.Add(png);
        figure.SetAction(p => Figure.Run(p.GetValue(results)!, p.GetValue(png)!));

        root.Subcommands.Add(figure);
        root.Subcommands.Add(stepTime);
        root.Subcommands.Add(arm);
        return CommandLineApp.Run(root, args);
    }

    private static int[] ParseClasses(string text)
    {
        if (text == "all") return Enumerable.Range(0, 10).ToArray();
        string[] parts = text.Split('-');
        if (parts.Length == 2 && int.TryParse(parts[0], out int a) && int.TryParse(parts[1], out int b) && a >= 0 && b <= 9 && a <= b)
        {
            return Enumerable.Range(a, b - a + 1).ToArray();
        }

        throw new ArgumentException($"--classes takes 'all' or a range such as 0-4 within 0–9, not '{text}'.");
    }
}
