namespace DiffusionCore.Samples.Train;

/// <summary>Settings of the sample trainer; the property initialisers are its defaults (the command line shows and applies these).</summary>
internal sealed record TrainOptions
{
    /// <summary>The defaults.</summary>
    public static readonly TrainOptions Defaults = new();

    public int Steps { get; init; } = 400;

    public int BatchSize { get; init; } = 32;

    public double LearningRate { get; init; } = 2e-3;

    public double Sigma { get; init; } = 0.5;

    public ulong Seed { get; init; }

    public int LogEvery { get; init; } = 50;
}
