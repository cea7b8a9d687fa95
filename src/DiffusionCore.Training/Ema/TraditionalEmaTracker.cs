using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Training.Ema;

/// <summary>
/// The traditional EMA of EDM (Karras et al. 2022, training loop; the baseline of Karras et al. 2024, EDM2 §3):
/// θ̂ ← lerp(θ̂, θ, 1 − β) with β = 0.5^(batch / max(h, 10⁻⁸)), h = min(half-life, n·ramp-up ratio) when the ramp is on.
/// </summary>
/// <remarks>
/// n is the number of images seen after the step, as in EDM2's TraditionalEMA (EDM's 2022 loop used the count before
/// the step, which changes the ramp by one batch). With the ramp on, the first step has h = r·batch.
/// </remarks>
public sealed class TraditionalEmaTracker : EmaTracker
{
    private const double MinHalfLife = 1e-8;

    /// <summary>Starts the average as a float32 copy of <paramref name="network"/>.</summary>
    /// <param name="network">The network that will be trained.</param>
    /// <param name="options">The half-life and ramp-up; the EDM defaults (500 kimg, 0.05) when null.</param>
    public TraditionalEmaTracker(Module network, TraditionalEmaOptions? options = null)
        : base(network, Validated(options).Name ?? "ema")
    {
        Options = options ?? new TraditionalEmaOptions();
    }

    /// <summary>The validated settings.</summary>
    public TraditionalEmaOptions Options { get; }

    /// <inheritdoc />
    protected override string Kind => "traditional";

    /// <summary>The half-life in images at this step: min(half-life, n·ramp-up ratio), or the half-life without ramp.</summary>
    /// <param name="imagesSeen">Images seen after the step.</param>
    /// <returns>The effective half-life h in images.</returns>
    public double HalfLife(long imagesSeen) =>
        Options.RampUpRatio is { } r ? Math.Min(Options.HalfLifeImages, imagesSeen * r) : Options.HalfLifeImages;

    /// <inheritdoc />
    /// <remarks>β = 0.5^(batch / max(h, 10⁻⁸)) (EDM, Karras et al. 2022).</remarks>
    public override double Beta(long imagesSeen, long batchImages)
    {
        EmaArguments.ValidateStep(imagesSeen, batchImages);
        return Math.Pow(0.5, batchImages / Math.Max(HalfLife(imagesSeen), MinHalfLife));
    }

    /// <inheritdoc />
    protected override void WriteSettings(IDictionary<string, string> metadata, string prefix)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        metadata[prefix + "halflife_images"] = EmaArguments.Format(Options.HalfLifeImages);
        metadata[prefix + "rampup_ratio"] = Options.RampUpRatio is { } r ? EmaArguments.Format(r) : "none";
    }

    private static TraditionalEmaOptions Validated(TraditionalEmaOptions? options)
    {
        options ??= new TraditionalEmaOptions();
        options.Validate();
        return options;
    }
}
