using DiffusionCore.Torch;

namespace DiffusionCore.Guidance;

/// <summary>Options of <see cref="ClassifierFreeGuidance"/>.</summary>
public sealed record ClassifierFreeGuidanceOptions
{
    /// <summary>
    /// Evaluate the conditional and unconditional branches in one call of batch 2B (default) when both conditionings
    /// have the same entries; otherwise (or when false) two calls of batch B.
    /// </summary>
    public bool BatchBranches { get; init; } = true;

    /// <summary>The σ range with guidance (always by default).</summary>
    public GuidanceInterval Interval { get; init; } = GuidanceInterval.Always;

    /// <summary>Throws when an option is invalid.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Interval, nameof(Interval));
        Interval.Validate();
    }
}

/// <summary>
/// Classifier-free guidance as a denoiser decorator (Ho and Salimans 2022, Eq. 6, in denoiser form):
/// <c>D_w(x; σ, c) = D(x; σ, ∅) + w·(D(x; σ, c) − D(x; σ, ∅))</c>, where the unconditional conditioning ∅ is made
/// from c by a function (null class label, zero labels, dropped entries; see <see cref="Unconditional"/>). w = 1 is the
/// conditional denoiser; outside the <see cref="ClassifierFreeGuidanceOptions.Interval"/> only the conditional branch
/// is evaluated.
/// </summary>
public sealed class ClassifierFreeGuidance : IDenoiser
{
    private readonly IDenoiser _denoiser;
    private readonly Func<Conditioning, Conditioning> _unconditional;

    /// <summary>Creates the guided denoiser.</summary>
    /// <param name="denoiser">The conditional denoiser (trained with condition dropout).</param>
    /// <param name="scale">The guidance scale w (DiT: 1.5; EDM2: 1.2–2.0).</param>
    /// <param name="unconditional">Maps the conditioning of a batch to its unconditional counterpart (same batch size).</param>
    /// <param name="options">Batching and interval options.</param>
    public ClassifierFreeGuidance(IDenoiser denoiser, double scale, Func<Conditioning, Conditioning> unconditional, ClassifierFreeGuidanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(unconditional);
        GuidanceCombiner.ValidateScale(scale);
        Options = options ?? new ClassifierFreeGuidanceOptions();
        Options.Validate();
        _denoiser = denoiser;
        _unconditional = unconditional;
        Scale = scale;
    }

    /// <summary>
    /// Creates the guided denoiser with the unconditional input the network declares (<see cref="Unconditional.For(IDenoiser)"/>):
    /// the zero one-hot row for EDM networks, the null label for DiT, whatever format the class labels are given in.
    /// </summary>
    /// <param name="denoiser">The conditional denoiser (trained with condition dropout) of a network that declares its class labels.</param>
    /// <param name="scale">The guidance scale w (DiT: 1.5; EDM2: 1.2–2.0).</param>
    /// <param name="options">Batching and interval options.</param>
    /// <exception cref="ArgumentException">The denoiser does not declare its class labels, or has no unconditional input.</exception>
    public ClassifierFreeGuidance(IDenoiser denoiser, double scale, ClassifierFreeGuidanceOptions? options = null)
        : this(denoiser, scale, Unconditional.For(denoiser), options)
    {
    }

    /// <summary>The guidance scale w.</summary>
    public double Scale { get; }

    /// <summary>The options.</summary>
    public ClassifierFreeGuidanceOptions Options { get; }

    /// <inheritdoc />
    public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning)
    {
        long batch = PerSample.ValidateDenoiserInputs(x, sigma, conditioning);
        bool[] inside = GuidanceCombiner.Inside(sigma, Options.Interval);
        if (Scale == 1 || !inside.Any(b => b))
        {
            return _denoiser.Denoise(x, sigma, conditioning);
        }

        using var scope = new TensorScope();
        (Tensor dCond, Tensor dUncond) = GuidanceBranches.Evaluate(_denoiser, x, sigma, conditioning, _unconditional, batch, Options.BatchBranches);
        Tensor guided = GuidanceCombiner.Combine(dCond, dUncond, Scale);
        return GuidanceCombiner.Select(inside, guided, dCond).MoveToOuterScope();
    }
}
