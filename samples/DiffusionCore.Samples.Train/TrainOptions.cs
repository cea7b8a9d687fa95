using System.Globalization;

namespace DiffusionCore.Samples.Train;

/// <summary>Command-line options of the sample trainer, validated up front.</summary>
internal sealed record TrainOptions
{
    public int Steps { get; init; } = 400;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 2e-3;
    public double Sigma { get; init; } = 0.5;
    public ulong Seed { get; init; }
    public int LogEvery { get; init; } = 50;

    public const string Usage =
        """
        DiffusionCore sample trainer: learns to remove Gaussian noise from synthetic smooth 16x16 images
        with a small convolutional denoiser (Conv2d/SiLU, Adam), and prints the falling loss.

        Options:
          --steps N        training steps (default 400)
          --batch N        images per step (default 32)
          --lr X           Adam learning rate (default 0.002)
          --sigma X        noise standard deviation (default 0.5)
          --seed N         seed of every random draw (default 0)
          --log-every N    print the loss every N steps (default 50)
          --help           show this text
        """;

    /// <summary>Parses arguments; returns null (after printing the usage) for --help, throws on invalid input.</summary>
    public static TrainOptions? Parse(string[] args)
    {
        var options = new TrainOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "--help" or "-h")
            {
                Console.WriteLine(Usage);
                return null;
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"Option {name} needs a value.\n\n{Usage}");
            }

            string value = args[++i];
            options = name switch
            {
                "--steps" => options with { Steps = ParseInt(name, value) },
                "--batch" => options with { BatchSize = ParseInt(name, value) },
                "--lr" => options with { LearningRate = ParseDouble(name, value) },
                "--sigma" => options with { Sigma = ParseDouble(name, value) },
                "--seed" => options with { Seed = ulong.Parse(value, CultureInfo.InvariantCulture) },
                "--log-every" => options with { LogEvery = ParseInt(name, value) },
                _ => throw new ArgumentException($"Unknown option {name}.\n\n{Usage}"),
            };
        }

        return options;
    }

    private static int ParseInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0
            ? v
            : throw new ArgumentException($"{name} needs a positive integer, not '{value}'.");

    private static double ParseDouble(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 && double.IsFinite(v)
            ? v
            : throw new ArgumentException($"{name} needs a positive number, not '{value}'.");
}
