namespace DiffusionCore.Training.DeMe;

/// <summary>
/// Which noise levels one decouple-then-merge copy trains on (Ma et al. 2024; docs/recipes.md §5): the training
/// noise levels are split into <see cref="Ranges"/> contiguous ranges, numbered from the least noisy (0) to the noisiest
/// (<see cref="Ranges"/> − 1), and the copy draws from range <see cref="Range"/>, except that with probability
/// <see cref="EscapeProbability"/> a whole batch draws from the full range instead. For discrete timesteps the ranges
/// split t = 0 … T−1 into equal runs of timesteps; for continuous σ they are equal-probability ranges of the training
/// distribution p_train(σ) (the quantiles k/N of its CDF), so every range holds the same share of the original training.
/// </summary>
public sealed record NoiseRangeOptions
{
    /// <summary>The number of ranges N (DeMe: 4 in the released LSUN script, 8 in a CIFAR-10 ablation).</summary>
    public int Ranges { get; init; } = 4;

    /// <summary>The range this copy trains on, 0 (least noisy) to <see cref="Ranges"/> − 1 (noisiest).</summary>
    public int Range { get; init; }

    /// <summary>The probability that a batch draws from the full range instead (DeMe's probabilistic sampling: 0.3).</summary>
    public double EscapeProbability { get; init; } = 0.3;

    /// <summary>
    /// Antithetic pairing within a batch: sample j + ⌈B/2⌉ mirrors sample j inside the batch's range (u ↦ lo + hi − u
    /// in probability, t ↦ lo + hi − 1 − t in timesteps), so each batch covers its range evenly. On by default.
    /// </summary>
    public bool Antithetic { get; init; } = true;

    /// <summary>Throws when an option is invalid.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message says which and the fix.</exception>
    public void Validate()
    {
        if (Ranges < 1) throw new ArgumentOutOfRangeException(nameof(Ranges), Ranges, "NoiseRangeOptions.Ranges must be at least 1 (DeMe: 4).");
        if (Range < 0 || Range >= Ranges)
        {
            throw new ArgumentOutOfRangeException(nameof(Range), Range, $"NoiseRangeOptions.Range must be in 0 … {Ranges - 1} (one of the {Ranges} ranges).");
        }

        if (!(EscapeProbability >= 0 && EscapeProbability <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(EscapeProbability), EscapeProbability, "NoiseRangeOptions.EscapeProbability must be in [0, 1] (DeMe: 0.3).");
        }
    }
}
