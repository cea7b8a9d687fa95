using System.CommandLine;
using DiffusionCore.Samples.Cli;

namespace DiffusionCore.DeMeStudy;

/// <summary>The study's settings; the command line (System.CommandLine) is the one source of their defaults.</summary>
internal sealed record StudyOptions
{
    public required string Pretrained { get; init; }

    public required string Out { get; init; }

    public required long ImagesPerRange { get; init; }

    public required int Ranges { get; init; }

    public required double LearningRate { get; init; }

    public required double Escape { get; init; }

    public required double Consistency { get; init; }

    public required int SearchSamples { get; init; }

    public required int SearchBudget { get; init; }

    public required int FinalSamples { get; init; }

    public required int Steps { get; init; }

    /// <summary>The fine-tuning seed set: arm seeds are 1000 + 100·Seed (full range) and 1001 + 100·Seed + k (range k).</summary>
    public required int Seed { get; init; }

    /// <summary>The root command: run the whole study with <paramref name="run"/>.</summary>
    public static RootCommand CreateCommand(Action<StudyOptions> run)
    {
        var pretrained = new Option<string>("--pretrained") { Description = "the main job's run directory (train it with the Fashion-MNIST sample)", DefaultValueFactory = _ => "runs/fashion-mnist" };
        var output = new Option<string>("--out") { Description = "where fine-tunes, merges, tables and the figure go", DefaultValueFactory = _ => "runs/deme" };
        Option<long> images = TypedOption.Positive("--images-per-range", "fine-tuning images per range copy; the full-range arm gets N times as many", 4_032L);
        Option<int> ranges = TypedOption.Positive("--ranges", "number of noise-level ranges N", 4);
        Option<double> lr = TypedOption.Positive("--lr", "constant Adam learning rate of the fine-tunes", 0.0005);
        Option<double> escape = TypedOption.Number("--escape", "probability that a batch draws from the full range", 0.3, p => p is >= 0 and <= 1, "must be in [0, 1]");
        Option<double> consistency = TypedOption.Number("--consistency", "weight of the consistency loss", 1.0, w => w >= 0, "must be >= 0");
        Option<int> searchSamples = TypedOption.Positive("--search-samples", "images per FD score in the weight search", 300);
        Option<int> budget = TypedOption.Positive("--search-budget", "candidates scored by the coordinate search", 12);
        Option<int> finalSamples = TypedOption.Positive("--final-samples", "images per FD score in the final comparison", 1000);
        Option<int> steps = TypedOption.Positive("--steps", "DPM-Solver++(2M) steps (unguided)", 10);
        Option<int> seed = TypedOption.Number("--seed", "fine-tuning seed set (a second seed repeats every fine-tune with other draws; sampling seeds stay fixed)", 0, s => s is >= 0 and < 1000, "must be in [0, 1000)");
        var root = new RootCommand("DeMe on the main job: fine-tune range copies, merge with searched weights, compare (docs/deme.md)")
        {
            pretrained, output, images, ranges, lr, escape, consistency, searchSamples, budget, finalSamples, steps, seed,
        };
        root.SetAction(p => run(new StudyOptions
        {
            Pretrained = p.GetValue(pretrained)!,
            Out = p.GetValue(output)!,
            ImagesPerRange = p.GetValue(images),
            Ranges = p.GetValue(ranges),
            LearningRate = p.GetValue(lr),
            Escape = p.GetValue(escape),
            Consistency = p.GetValue(consistency),
            SearchSamples = p.GetValue(searchSamples),
            SearchBudget = p.GetValue(budget),
            FinalSamples = p.GetValue(finalSamples),
            Steps = p.GetValue(steps),
            Seed = p.GetValue(seed),
        }));
        return root;
    }
}
