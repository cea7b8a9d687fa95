using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Training.Ema;

/// <summary>
/// The constant-decay EMA of DiT (Peebles &amp; Xie 2023, §5; the per-step form contrasted with image-time EMAs in
/// Karras et al. 2024, EDM2 §3): θ̂ ← lerp(θ̂, θ, 1 − β) with the same β at every step, whatever the batch size.
/// </summary>
public sealed class ConstantEmaTracker : EmaTracker
{
    /// <summary>Starts the average as a float32 copy of <paramref name="network"/> (DiT: <c>update_ema(ema, model, decay=0)</c>).</summary>
    /// <param name="network">The network that will be trained.</param>
    /// <param name="options">The decay; DiT's 0.9999 when null.</param>
    public ConstantEmaTracker(Module network, ConstantEmaOptions? options = null)
        : base(network, Validated(options).Name ?? "ema-" + EmaArguments.Format((options ?? new ConstantEmaOptions()).Decay))
    {
        Options = options ?? new ConstantEmaOptions();
    }

    /// <summary>The validated settings.</summary>
    public ConstantEmaOptions Options { get; }

    /// <inheritdoc />
    protected override string Kind => "constant";

    /// <inheritdoc />
    /// <remarks>β = <see cref="ConstantEmaOptions.Decay"/> at every step.</remarks>
    public override double Beta(long imagesSeen, long batchImages)
    {
        EmaArguments.ValidateStep(imagesSeen, batchImages);
        return Options.Decay;
    }

    /// <inheritdoc />
    protected override void WriteSettings(IDictionary<string, string> metadata, string prefix)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        metadata[prefix + "decay"] = EmaArguments.Format(Options.Decay);
    }

    private static ConstantEmaOptions Validated(ConstantEmaOptions? options)
    {
        options ??= new ConstantEmaOptions();
        options.Validate();
        return options;
    }
}
