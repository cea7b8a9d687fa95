using System.Globalization;

namespace DiffusionCore.Torch.Optim;

/// <summary>
/// Hyperparameters of one parameter group (the entries of a torch.optim param_group besides "params"). Mutable, so a
/// schedule can change them between steps; each <see cref="ParameterGroup"/> holds its own copy. Derive per-group
/// variants with <c>with</c>: <c>defaults with { LearningRate = 1e-4 }</c>.
/// </summary>
public abstract record OptimizerOptions
{
    /// <summary>The learning rate (lr); PyTorch's default 1e-3.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Weight decay (weight_decay): an L2 term added to the gradient, or decoupled for AdamW.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Maximise the objective instead of minimising it (maximize).</summary>
    public bool Maximize { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for an invalid value, with PyTorch's checks.</summary>
    public virtual void Validate()
    {
        if (!(LearningRate >= 0) || double.IsInfinity(LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Invalid learning rate: it must be finite and >= 0.");
        }

        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
        {
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Invalid weight decay: it must be finite and >= 0.");
        }
    }

    /// <summary>An independent copy with the same runtime type.</summary>
    internal abstract OptimizerOptions Copy();

    /// <summary>Writes the hyperparameters as exact, culture-invariant strings under <paramref name="prefix"/> (PyTorch's param_group keys).</summary>
    internal virtual void Write(IDictionary<string, string> metadata, string prefix)
    {
        metadata[prefix + "lr"] = Format(LearningRate);
        metadata[prefix + "weight_decay"] = Format(WeightDecay);
        metadata[prefix + "maximize"] = Format(Maximize);
    }

    /// <summary>Reads back what <see cref="Write"/> wrote; a missing key keeps the current value.</summary>
    internal virtual void Read(IReadOnlyDictionary<string, string> metadata, string prefix)
    {
        LearningRate = ReadDouble(metadata, prefix + "lr", LearningRate);
        WeightDecay = ReadDouble(metadata, prefix + "weight_decay", WeightDecay);
        Maximize = ReadBool(metadata, prefix + "maximize", Maximize);
    }

    /// <summary>Round-trip ("R") invariant formatting: parsing gives back the identical double.</summary>
    private protected static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private protected static string Format(bool value) => value ? "true" : "false";

    private protected static double ReadDouble(IReadOnlyDictionary<string, string> metadata, string key, double fallback)
    {
        if (!metadata.TryGetValue(key, out string? text))
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v
            : throw new FormatException($"Optimizer state entry '{key}' = '{text}' is not a number.");
    }

    private protected static bool ReadBool(IReadOnlyDictionary<string, string> metadata, string key, bool fallback)
    {
        if (!metadata.TryGetValue(key, out string? text))
        {
            return fallback;
        }

        return bool.TryParse(text, out bool v)
            ? v
            : throw new FormatException($"Optimizer state entry '{key}' = '{text}' is not true or false.");
    }
}
