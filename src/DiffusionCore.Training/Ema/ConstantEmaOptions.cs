namespace DiffusionCore.Training.Ema;

/// <summary>Settings of the constant-decay EMA used by DiT (Peebles &amp; Xie 2023): β = <see cref="Decay"/> at every step.</summary>
public sealed record ConstantEmaOptions
{
    /// <summary>The per-step decay β in [0, 1) (DiT: 0.9999).</summary>
    public double Decay { get; init; } = 0.9999;

    /// <summary>The tracker name; "ema-" followed by the decay (e.g. "ema-0.9999") when null.</summary>
    public string? Name { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> with a clear message when a setting is invalid.</summary>
    public void Validate()
    {
        if (!(Decay >= 0 && Decay < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Decay), Decay, $"The EMA decay must be in [0, 1) (DiT uses 0.9999); got {Decay}.");
        }

        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("The tracker name must not be empty or white space (leave it null for the default).", nameof(Name));
        }
    }
}
