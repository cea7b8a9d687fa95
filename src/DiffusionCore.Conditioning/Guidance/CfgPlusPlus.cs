using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Guidance;

/// <summary>Options of <see cref="CfgPlusPlus"/>.</summary>
public sealed record CfgPlusPlusOptions
{
    /// <summary>Evaluate both branches in one call of batch 2B when the conditionings have the same entries (default).</summary>
    public bool BatchBranches { get; init; } = true;

    /// <summary>The σ range with guidance (always by default); outside it only the conditional branch runs.</summary>
    public GuidanceInterval Interval { get; init; } = GuidanceInterval.Always;

    /// <summary>Throws when an option is invalid.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Interval, nameof(Interval));
        Interval.Validate();
    }
}

/// <summary>
/// CFG++ (Chung et al. 2024, "CFG++: Manifold-constrained Classifier Free Guidance for Diffusion Models",
/// Algorithm 1) as a denoiser decorator. CFG++ takes the DDIM step from the guided clean estimate
/// <c>D_λ = D_∅ + λ·(D_c − D_∅)</c>, λ ∈ [0, 1], but renoises along the unconditional noise:
/// <c>x_{i+1} = D_λ + σ_{i+1}·(x_i − D_∅)/σ_i</c>. A denoiser cannot see σ_{i+1}, so it is given the σ grid: at σ the
/// decorator finds the step that starts at σ (the first grid level ≤ σ, to within float32 rounding) and returns
/// classifier-free guidance with the step's scale <c>w = λ·σ/(σ − σ_next)</c> (λ on the step into 0), for which an
/// Euler/DDIM step from σ to σ_next is exactly the CFG++ step.
/// <para>Exact for: <c>EulerSampler</c> (no churn), <c>DdimSampler</c> with η = 0,
/// <c>GeneralizedSampler</c> with Euler (linear σ(t), or the rectified-flow preset, whose Euler step is the
/// same), <c>EulerAncestralSampler</c> with η = 0, and the first (first-order) step of the DPM-Solver++, UniPC
/// and LMS samplers (η = 0). Other solvers integrate CFG with
/// this step-dependent scale at their own order (for Heun the correction also uses the next step's scale); ancestral
/// and SDE solvers step to σ_down, not σ_next, and are not CFG++. Composes with <see cref="GuidanceInterval"/>.</para>
/// </summary>
public sealed class CfgPlusPlus : IDenoiser
{
    // Relative tolerance for matching the σ the sampler passes (rounded to its state dtype) to a grid level.
    private const double LevelTolerance = 1e-6;
    private readonly IDenoiser _denoiser;
    private readonly Func<Conditioning, Conditioning> _unconditional;
    private readonly double[] _sigmas;

    /// <summary>Creates the guided denoiser with the unconditional input the network declares (<see cref="Unconditional.For(IDenoiser)"/>).</summary>
    /// <param name="denoiser">The conditional denoiser of a network that declares its class labels.</param>
    /// <param name="scale">The guidance scale.</param>
    /// <param name="sigmas">The σ grid the sampler runs.</param>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">The denoiser does not declare its class labels, or has no unconditional input.</exception>
    public CfgPlusPlus(IDenoiser denoiser, double scale, IReadOnlyList<double> sigmas, CfgPlusPlusOptions? options = null)
        : this(denoiser, scale, Unconditional.For(denoiser), sigmas, options)
    {
    }

    /// <summary>Creates the guided denoiser.</summary>
    /// <param name="denoiser">The conditional denoiser (trained with condition dropout).</param>
    /// <param name="scale">λ (CFG++: 0.2–0.8 for the usual range of CFG scales; 0 = unconditional).</param>
    /// <param name="unconditional">Maps the conditioning of a batch to its unconditional counterpart (see <see cref="Unconditional"/>).</param>
    /// <param name="sigmas">The σ grid the sampler runs (the same array passed to <c>ISampler.Sample</c> of DiffusionCore.Sampling).</param>
    /// <param name="options">Batching and interval options.</param>
    /// <exception cref="ArgumentException">The scale is not finite or the grid is not a valid schedule.</exception>
    public CfgPlusPlus(IDenoiser denoiser, double scale, Func<Conditioning, Conditioning> unconditional, IReadOnlyList<double> sigmas, CfgPlusPlusOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(unconditional);
        GuidanceCombiner.ValidateScale(scale);
        SigmaSchedules.Validate(sigmas);
        Options = options ?? new CfgPlusPlusOptions();
        Options.Validate();
        _denoiser = denoiser;
        _unconditional = unconditional;
        _sigmas = [.. sigmas];
        Scale = scale;
    }

    /// <summary>λ.</summary>
    public double Scale { get; }

    /// <summary>The options.</summary>
    public CfgPlusPlusOptions Options { get; }

    /// <summary>The CFG scale w = λ·σ/(σ − σ_next) of the grid step that starts at σ (λ for the step into 0).</summary>
    public double EquivalentScale(double sigma)
    {
        int j = Array.FindIndex(_sigmas, s => s <= sigma * (1 + LevelTolerance));
        double next = j < 0 || j + 1 >= _sigmas.Length ? 0 : _sigmas[j + 1];
        return next == 0 ? Scale : Scale * sigma / (sigma - next);
    }

    /// <inheritdoc />
    public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning)
    {
        long batch = PerSample.ValidateDenoiserInputs(x, sigma, conditioning);
        using var scope = new TensorScope();
        double[] s = sigma.To(Device.Cpu, DType.Float64).ToArray<double>();
        bool[] inside = [.. s.Select(Options.Interval.Contains)];
        if (!inside.Any(b => b))
        {
            return _denoiser.Denoise(x, sigma, conditioning).MoveToOuterScope();
        }

        (Tensor dCond, Tensor dUncond) = GuidanceBranches.Evaluate(_denoiser, x, sigma, conditioning, _unconditional, batch, Options.BatchBranches);
        Tensor w = PerSample.Broadcastable(Tensor.FromArray(s.Select(EquivalentScale).ToArray()).To(dCond.Device, dCond.DType), dCond.Dim);
        Tensor guided = dUncond + ((dCond - dUncond) * w);
        return GuidanceCombiner.Select(inside, guided, dCond).MoveToOuterScope();
    }
}
