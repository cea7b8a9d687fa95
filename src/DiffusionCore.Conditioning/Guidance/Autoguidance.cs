using DiffusionCore.Torch;

namespace DiffusionCore.Guidance;

/// <summary>Options of <see cref="Autoguidance"/>.</summary>
public sealed record AutoguidanceOptions
{
    /// <summary>The σ range with guidance (always by default).</summary>
    public GuidanceInterval Interval { get; init; } = GuidanceInterval.Always;

    /// <summary>
    /// Maps the batch's conditioning to the guide's (identity when null: autoguidance gives the guide the same
    /// condition; use <c>_ =&gt; Conditioning.None</c> for a separately trained unconditional guide).
    /// </summary>
    public Func<Conditioning, Conditioning>? GuideConditioning { get; init; }

    /// <summary>Throws when an option is invalid.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Interval, nameof(Interval));
        Interval.Validate();
    }
}

/// <summary>
/// Guidance by a separate guide denoiser (Karras et al. 2024, "Guiding a diffusion model with a bad version of
/// itself", Eq. 1): <c>D_w(x; σ, c) = D_guide(x; σ, c) + w·(D_main(x; σ, c) − D_guide(x; σ, c))</c>. With a smaller,
/// less-trained conditional guide this is autoguidance (w ≈ 1.7–2.9); with an unconditional model as guide it is
/// EDM2's classifier-free guidance (w ≈ 1.2–2.0).
/// </summary>
public sealed class Autoguidance : IDenoiser
{
    private readonly IDenoiser _main;
    private readonly IDenoiser _guide;

    /// <summary>Creates the guided denoiser.</summary>
    public Autoguidance(IDenoiser main, IDenoiser guide, double scale, AutoguidanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        ArgumentNullException.ThrowIfNull(guide);
        GuidanceCombiner.ValidateScale(scale);
        Options = options ?? new AutoguidanceOptions();
        Options.Validate();
        _main = main;
        _guide = guide;
        Scale = scale;
    }

    /// <summary>The guidance scale w.</summary>
    public double Scale { get; }

    /// <summary>The options.</summary>
    public AutoguidanceOptions Options { get; }

    /// <inheritdoc />
    public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning)
    {
        long batch = PerSample.ValidateDenoiserInputs(x, sigma, conditioning);
        bool[] inside = GuidanceCombiner.Inside(sigma, Options.Interval);
        if (Scale == 1 || !inside.Any(b => b))
        {
            return _main.Denoise(x, sigma, conditioning);
        }

        Conditioning guideCond = Options.GuideConditioning?.Invoke(conditioning) ?? conditioning;
        guideCond.ValidateBatch(batch);
        using var scope = new TensorScope();
        Tensor dMain = _main.Denoise(x, sigma, conditioning);
        Tensor dGuide = _guide.Denoise(x, sigma, guideCond);
        Tensor guided = GuidanceCombiner.Combine(dMain, dGuide, Scale);
        return GuidanceCombiner.Select(inside, guided, dMain).MoveToOuterScope();
    }
}
