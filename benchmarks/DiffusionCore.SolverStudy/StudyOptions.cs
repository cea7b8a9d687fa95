using System.CommandLine;
using System.Globalization;
using DiffusionCore.Samples.Cli;

namespace DiffusionCore.SolverStudy;

/// <summary>The study's settings; the command line (System.CommandLine) is the one source of their defaults.</summary>
internal sealed record StudyOptions
{
    public required string Edm2Run { get; init; }

    public required string FlowRun { get; init; }

    public required long Images { get; init; }

    public required int Samples { get; init; }

    public required ulong FirstSeed { get; init; }

    public required int[] Nfe { get; init; }

    public required double Guidance { get; init; }

    public string? Out { get; init; }

    public string? Only { get; init; }

    /// <summary>The root command with <c>train-flow</c> and <c>sweep</c>, each running <paramref name="trainFlow"/> or <paramref name="sweep"/>.</summary>
    public static RootCommand CreateCommand(Action<StudyOptions> trainFlow, Action<StudyOptions> sweep)
    {
        var edm2Run = new Option<string>("--edm2-run") { Description = "the main job's run directory (./eng/main.sh writes it)", DefaultValueFactory = _ => "runs/fashion-mnist" };
        var flowRun = new Option<string>("--flow-run") { Description = "the flow-matching run directory", DefaultValueFactory = _ => "runs/fashion-mnist-flow" };
        Option<long> images = TypedOption.Positive("--images", "training budget in images (train-flow)", 28_000L);
        Option<int> samples = TypedOption.Positive("--samples", "images per FD evaluation (sweep)", 300);
        Option<ulong> firstSeed = TypedOption.Number("--first-seed", "image k uses seed S + k (sweep; the main job evaluates with 100000)", 0UL);
        var nfe = new Option<int[]>("--nfe")
        {
            Description = "comma-separated function-evaluation budgets (sweep)",
            DefaultValueFactory = _ => [5, 10, 15, 20, 35],
            CustomParser = r =>
            {
                string text = r.Tokens[0].Value;
                var values = new List<int>();
                foreach (string part in text.Split(','))
                {
                    if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v <= 0)
                    {
                        r.AddError($"--nfe takes positive integers separated by commas, not {text}.");
                        return [];
                    }

                    values.Add(v);
                }

                return [.. values];
            },
        };
        Option<double> guidance = TypedOption.Number("--guidance", "classifier-free guidance scale", 2.0);
        var only = new Option<string?>("--only") { Description = "sweep only the rows whose \"model solver\" contains TEXT" };
        var output = new Option<string?>("--out") { Description = "also write the table to FILE (sweep)" };

        StudyOptions Read(ParseResult p) => new()
        {
            Edm2Run = p.GetValue(edm2Run)!,
            FlowRun = p.GetValue(flowRun)!,
            Images = p.GetValue(images),
            Samples = p.GetValue(samples),
            FirstSeed = p.GetValue(firstSeed),
            Nfe = p.GetValue(nfe)!,
            Guidance = p.GetValue(guidance),
            Only = p.GetValue(only),
            Out = p.GetValue(output),
        };

        var train = new Command("train-flow", "trains the main job's network as a rectified-flow model (same budget, schedule, EMA and label dropout as the EDM2 default) and reconstructs its post-hoc EMA");
        foreach (Option o in new Option[] { flowRun, images }) train.Options.Add(o);
        train.SetAction(p => trainFlow(Read(p)));

        var run = new Command("sweep", "samples both models with each solver at several NFE and evaluates FD-FMNIST");
        foreach (Option o in new Option[] { edm2Run, flowRun, samples, firstSeed, nfe, guidance, only, output }) run.Options.Add(o);
        run.SetAction(p => sweep(Read(p)));

        var root = new RootCommand("Solver study on the Fashion-MNIST main job (FD-FMNIST against function evaluations; docs/sampling.md).");
        root.Subcommands.Add(train);
        root.Subcommands.Add(run);
        return root;
    }
}
