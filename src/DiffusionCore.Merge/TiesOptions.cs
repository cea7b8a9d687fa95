namespace DiffusionCore.Merge;

/// <summary>Options of TIES merging (Yadav et al. 2023, "TIES-Merging", Algorithm 1; <see cref="TiesMerging"/>).</summary>
public sealed record TiesOptions
{
    /// <summary>The share k of each task vector's entries kept by magnitude in the trim step (the paper's top-k%: 0.2).</summary>
    public double Density { get; init; } = 0.2;

    /// <summary>The scale λ of the merged task vector, <c>θ = θ₀ + λ·τ_m</c> (1 by default).</summary>
    public double Scale { get; init; } = 1.0;

    /// <summary>Copied keys and the accumulation dtype.</summary>
    public MergeOptions Merge { get; init; } = new();

    /// <summary>Throws when an option is invalid.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message says which.</exception>
    public void Validate()
    {
        if (!(Density > 0 && Density <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Density), Density, "TiesOptions.Density must be in (0, 1] (the share of entries kept; TIES: 0.2).");
        }

        if (!double.IsFinite(Scale))
        {
            throw new ArgumentOutOfRangeException(nameof(Scale), Scale, "TiesOptions.Scale must be finite (TIES: 1).");
        }

        ArgumentNullException.ThrowIfNull(Merge, nameof(Merge));
        Merge.Validate();
    }
}
