using DiffusionCore.Control;
using DiffusionCore.Torch;

namespace DiffusionCore.Guidance;

/// <summary>
/// Guidance with separate semantic and control scales (Berrada et al. 2024; docs/control-conditioning.md, "Guidance"),
/// as a denoiser decorator. With c = (s, m) the semantic condition and the control metadata, ∅ the null semantic
/// condition and 0 the neutral controls:
/// <c>D = D(x; ∅, 0) + w_s·(D(x; s, 0) − D(x; ∅, 0)) + w_m·(D(x; s, m) − D(x; s, 0))</c>.
/// w_s = w_m = 1 is the fully conditioned denoiser; w_m = 0 ignores the controls; w_m = 1 is classifier-free guidance
/// of scale w_s on the semantics plus the controls' own (unguided) effect. A pure function of (x, σ, c), so it works
/// under every sampler, and outside the <see cref="ControlGuidanceOptions.Interval"/> only the fully conditioned branch runs.
/// </summary>
public sealed class ControlGuidance : IDenoiser
{
    private readonly IDenoiser _denoiser;
    private readonly Func<Conditioning, Conditioning> _semanticNull;

    /// <summary>Creates the guided denoiser.</summary>
    /// <param name="denoiser">The conditional denoiser (trained with label dropout and control dropout).</param>
    /// <param name="semanticScale">w_s, the classifier-free guidance scale of the semantic condition.</param>
    /// <param name="controlScale">w_m, the guidance scale of the control metadata.</param>
    /// <param name="semanticNull">Maps a conditioning to its semantic null (e.g. <see cref="Unconditional.NullClassLabel"/>), keeping the controls.</param>
    /// <param name="options">The control null, batching and interval.</param>
    /// <exception cref="ArgumentOutOfRangeException">A scale is not finite.</exception>
    public ControlGuidance(IDenoiser denoiser, double semanticScale, double controlScale, Func<Conditioning, Conditioning> semanticNull, ControlGuidanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(semanticNull);
        GuidanceCombiner.ValidateScale(semanticScale);
        GuidanceCombiner.ValidateScale(controlScale);
        Options = options ?? new ControlGuidanceOptions();
        Options.Validate();
        _denoiser = denoiser;
        _semanticNull = semanticNull;
        SemanticScale = semanticScale;
        ControlScale = controlScale;
    }

    /// <summary>w_s.</summary>
    public double SemanticScale { get; }

    /// <summary>w_m.</summary>
    public double ControlScale { get; }

    /// <summary>The options.</summary>
    public ControlGuidanceOptions Options { get; }

    /// <summary>
    /// The combination <c>D_∅ + w_s·(D_s − D_∅) + w_m·(D_sm − D_s)</c> of the three branch outputs (unconditional,
    /// semantic only, fully conditioned).
    /// </summary>
    public static Tensor Combine(Tensor unconditional, Tensor semantic, Tensor full, double semanticScale, double controlScale)
    {
        ArgumentNullException.ThrowIfNull(unconditional);
        ArgumentNullException.ThrowIfNull(semantic);
        ArgumentNullException.ThrowIfNull(full);
        using var scope = new TensorScope();
        return (unconditional + ((semantic - unconditional) * semanticScale) + ((full - semantic) * controlScale)).MoveToOuterScope();
    }

    /// <inheritdoc />
    public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning)
    {
        long batch = PerSample.ValidateDenoiserInputs(x, sigma, conditioning);
        bool[] inside = GuidanceCombiner.Inside(sigma, Options.Interval);
        if ((SemanticScale == 1 && ControlScale == 1) || !inside.Any(b => b))
        {
            return _denoiser.Denoise(x, sigma, conditioning);
        }

        Conditioning semantic = GuidanceBranches.Checked(Options.ControlNull(conditioning), batch, "control null");
        Conditioning unconditional = GuidanceBranches.Checked(_semanticNull(semantic), batch, "semantic null");
        using var scope = new TensorScope();
        Tensor[] d = GuidanceBranches.EvaluateAll(_denoiser, x, sigma, [conditioning, semantic, unconditional], batch, Options.BatchBranches);
        Tensor dFull = d[0];
        Tensor guided = Combine(d[2], d[1], dFull, SemanticScale, ControlScale);
        return GuidanceCombiner.Select(inside, guided, dFull).MoveToOuterScope();
    }
}
