using DiffusionCore.Torch;

namespace DiffusionCore.Guidance;

/// <summary>Options of <see cref="AdaptiveProjectedGuidance"/>.</summary>
public sealed record AdaptiveProjectedGuidanceOptions
{
    /// <summary>η, the weight kept of the update's component parallel to D_c (0, the paper's choice, drops it; 1 with no threshold is CFG).</summary>
    public double ParallelWeight { get; init; }

    /// <summary>r, the largest norm of the update D_c − D_∅ per sample (larger updates are scaled down to it); ∞ (default) leaves it.</summary>
    public double NormThreshold { get; init; } = double.PositiveInfinity;

    /// <summary>Evaluate both branches in one call of batch 2B when the conditionings have the same entries (default).</summary>
    public bool BatchBranches { get; init; } = true;

    /// <summary>The σ range with guidance (always by default); outside it only the conditional branch runs.</summary>
    public GuidanceInterval Interval { get; init; } = GuidanceInterval.Always;

    /// <summary>Throws when an option is invalid.</summary>
    public void Validate()
    {
        if (!double.IsFinite(ParallelWeight))
        {
            throw new ArgumentException($"The parallel weight η must be finite (0 drops the parallel part, 1 keeps it); got {ParallelWeight}.", nameof(ParallelWeight));
        }

        if (!(NormThreshold > 0)) throw new ArgumentException($"The norm threshold r must be positive (∞ for none); got {NormThreshold}.", nameof(NormThreshold));
        ArgumentNullException.ThrowIfNull(Interval, nameof(Interval));
        Interval.Validate();
    }
}

/// <summary>
/// Adaptive projected guidance (Sadat et al. 2024, "Eliminating Oversaturation and Artifacts of High Guidance Scales
/// in Diffusion Models", Algorithm 1, without momentum) as a denoiser decorator. Per sample, the CFG update
/// <c>Δ = D_c − D_∅</c> is scaled down to norm ≤ r, split into its part parallel to the conditional prediction,
/// <c>Δ_∥ = (⟨Δ, D_c⟩/⟨D_c, D_c⟩)·D_c</c>, and the orthogonal rest <c>Δ_⊥ = Δ − Δ_∥</c>, and
/// <c>D = D_c + (w − 1)·(Δ_⊥ + η·Δ_∥)</c>: the parallel part, which the paper finds causes oversaturation, is
/// down-weighted. Norms and inner products run over all of a sample's elements. w = 1 is the conditional denoiser;
/// η = 1 with r = ∞ is classifier-free guidance. A pure function of (x, σ, c), so it is the same guided denoiser under
/// every solver (Euler, Heun, DDIM, DPM-Solver++, UniPC, LMS, ancestral and SDE samplers alike) and composes with
/// <see cref="GuidanceInterval"/>. The paper's optional momentum is left out: it would carry state from one denoiser
/// call to the next, which no stateless sampler or batch split can honour.
/// </summary>
public sealed class AdaptiveProjectedGuidance : IDenoiser
{
    private readonly IDenoiser _denoiser;
    private readonly Func<Conditioning, Conditioning> _unconditional;

    /// <summary>Creates the guided denoiser with the unconditional input the network declares (<see cref="Unconditional.For(IDenoiser)"/>).</summary>
    /// <param name="denoiser">The conditional denoiser of a network that declares its class labels.</param>
    /// <param name="scale">The guidance scale.</param>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">The denoiser does not declare its class labels, or has no unconditional input.</exception>
    public AdaptiveProjectedGuidance(IDenoiser denoiser, double scale, AdaptiveProjectedGuidanceOptions? options = null)
        : this(denoiser, scale, Unconditional.For(denoiser), options)
    {
    }

    /// <summary>Creates the guided denoiser.</summary>
    /// <param name="denoiser">The conditional denoiser (trained with condition dropout).</param>
    /// <param name="scale">The guidance scale w (APG is meant for high scales, e.g. 5–15 for text-to-image).</param>
    /// <param name="unconditional">Maps the conditioning of a batch to its unconditional counterpart (see <see cref="Unconditional"/>).</param>
    /// <param name="options">η, r, batching and interval.</param>
    public AdaptiveProjectedGuidance(IDenoiser denoiser, double scale, Func<Conditioning, Conditioning> unconditional, AdaptiveProjectedGuidanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(unconditional);
        GuidanceCombiner.ValidateScale(scale);
        Options = options ?? new AdaptiveProjectedGuidanceOptions();
        Options.Validate();
        _denoiser = denoiser;
        _unconditional = unconditional;
        Scale = scale;
    }

    /// <summary>The guidance scale w.</summary>
    public double Scale { get; }

    /// <summary>The options.</summary>
    public AdaptiveProjectedGuidanceOptions Options { get; }

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
        int rank = dCond.Dim;
        Tensor delta = dCond - dUncond;
        if (double.IsFinite(Options.NormThreshold))
        {
            Tensor norm = PerSample.Broadcastable(delta.Flatten(1).Square().Sum([1L]).Sqrt(), rank);
            delta = delta * norm.Maximum(Options.NormThreshold).RDiv(Options.NormThreshold);
        }

        Tensor inner = delta.Flatten(1).Mul(dCond.Flatten(1)).Sum([1L]);
        Tensor squared = dCond.Flatten(1).Square().Sum([1L]);
        // ⟨Δ, D_c⟩/⟨D_c, D_c⟩, with Δ_∥ = 0 where D_c is exactly 0.
        Tensor coefficient = PerSample.Broadcastable(inner / squared.Maximum(1e-30), rank);
        Tensor parallel = dCond * coefficient;
        Tensor update = (delta - parallel) + (parallel * Options.ParallelWeight);
        Tensor guided = dCond + (update * (Scale - 1));
        return GuidanceCombiner.Select(inside, guided, dCond).MoveToOuterScope();
    }
}
