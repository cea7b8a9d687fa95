namespace DiffusionCore.Guidance;

/// <summary>Options of <see cref="ControlGuidance"/>.</summary>
public sealed record ControlGuidanceOptions
{
    /// <summary>
    /// Maps a batch's conditioning to the one without controls (neutral, all-zero control metadata by default, what
    /// <see cref="Control.ControlDropout"/> trains).
    /// </summary>
    public Func<Conditioning, Conditioning> ControlNull { get; init; } = Unconditional.Zeros(ConditioningKeys.ControlMetadata);

    /// <summary>Evaluate the three branches in one call of batch 3B when their conditionings have the same entries (default).</summary>
    public bool BatchBranches { get; init; } = true;

    /// <summary>The σ range with guidance (always by default); outside it only the fully conditioned branch runs.</summary>
    public GuidanceInterval Interval { get; init; } = GuidanceInterval.Always;

    /// <summary>Throws when an option is invalid.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(ControlNull, nameof(ControlNull));
        ArgumentNullException.ThrowIfNull(Interval, nameof(Interval));
        Interval.Validate();
    }
}
