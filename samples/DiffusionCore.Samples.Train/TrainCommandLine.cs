using System.CommandLine;
using DiffusionCore.Samples.Cli;

namespace DiffusionCore.Samples.Train;

/// <summary>The sample trainer's command line (System.CommandLine), with the defaults of <see cref="TrainOptions.Defaults"/>.</summary>
internal static class TrainCommandLine
{
    private const string Description = """
        DiffusionCore sample trainer: learns to remove Gaussian noise from synthetic smooth 16x16 images
        with a small convolutional denoiser (Conv2d/SiLU, Adam), and prints the falling loss.
        """;

    /// <summary>The root command; a parsed command line calls <paramref name="train"/> and returns its exit code.</summary>
    public static RootCommand Create(Func<TrainOptions, int> train)
    {
        ArgumentNullException.ThrowIfNull(train);
        TrainOptions d = TrainOptions.Defaults;
        Option<int> steps = TypedOption.Positive("--steps", "training steps", d.Steps);
        Option<int> batch = TypedOption.Positive("--batch", "images per step", d.BatchSize);
        Option<double> lr = TypedOption.Positive("--lr", "Adam learning rate", d.LearningRate);
        Option<double> sigma = TypedOption.Positive("--sigma", "noise standard deviation", d.Sigma);
        Option<ulong> seed = TypedOption.Number("--seed", "seed of every random draw", d.Seed);
        Option<int> logEvery = TypedOption.Positive("--log-every", "print the loss every N steps", d.LogEvery);
        var root = new RootCommand(Description) { steps, batch, lr, sigma, seed, logEvery };
        root.SetAction(p => train(new TrainOptions
        {
            Steps = p.GetValue(steps),
            BatchSize = p.GetValue(batch),
            LearningRate = p.GetValue(lr),
            Sigma = p.GetValue(sigma),
            Seed = p.GetValue(seed),
            LogEvery = p.GetValue(logEvery),
        }));
        return root;
    }
}
