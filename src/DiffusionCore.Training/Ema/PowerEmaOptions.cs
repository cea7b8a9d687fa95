namespace DiffusionCore.Training.Ema;

/// <summary>Settings of one power-function EMA (Karras et al. 2024, EDM2 §3, App. C.1–C.2), given by its relative width σ_rel.</summary>
public sealed record PowerEmaOptions
{
    /// <summary>The σ_rel values EDM2 tracks during training (App. C.3): 0.05 and 0.10.</summary>
    public static IReadOnlyList<double> DefaultSigmaRels { get; } = [0.05, 0.10];

    /// <summary>The relative width σ_rel of the averaging profile, in (0, 1/√12 ≈ 0.2887).</summary>
    public double SigmaRel { get; init; } = 0.05;

    /// <summary>The tracker name; "phema-" followed by σ_rel with three decimals (e.g. "phema-0.050") when null.</summary>
    public string? Name { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> with a clear message when a setting is invalid.</summary>
    public void Validate()
    {
        PowerFunctionEma.ValidateSigmaRel(SigmaRel, nameof(SigmaRel));
        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("The tracker name must not be empty or white space (leave it null for the default).", nameof(Name));
        }
    }
}
