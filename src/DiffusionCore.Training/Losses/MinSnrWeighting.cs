using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>What a network's raw output predicts (Hang et al. 2023, Sect. 3).</summary>
public enum PredictionTarget
{
    /// <summary>The noise ε.</summary>
    Epsilon = 0,

    /// <summary>The clean sample x₀ (the denoiser output D).</summary>
    Sample = 1,

    /// <summary>The velocity <c>v = α·ε − σ_VP·x₀</c> (Salimans and Ho 2022).</summary>
    Velocity = 2,
}

/// <summary>
/// Min-SNR-γ loss weighting (Hang et al. 2023, "Efficient Diffusion Training via Min-SNR Weighting Strategy",
/// Sect. 3.4): the per-noise-level weight <c>min(SNR, γ)</c> of the x₀ error, with <c>SNR = α²/σ_VP² = 1/σ²</c> in the
/// σ form. A loss in another target's space carries the same weight after conversion: ε-loss × min(SNR, γ)/SNR,
/// x₀-loss × min(SNR, γ), v-loss × min(SNR, γ)/(SNR + 1), because <c>‖ε̂ − ε‖² = SNR·‖D − y‖²</c> and
/// <c>‖v̂ − v‖² = (SNR + 1)·‖D − y‖²</c>. γ = 5 is the paper's default.
/// </summary>
public static class MinSnrWeighting
{
    /// <summary><c>SNR(σ) = 1/σ²</c>, float32 <c>[B]</c>.</summary>
    public static Tensor Snr(Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        return sigma.To(DType.Float32).Square().Reciprocal();
    }

    /// <summary>
    /// The Min-SNR-γ weight of a loss measured in <paramref name="target"/>'s space: <c>min(SNR, γ)/SNR</c> (ε),
    /// <c>min(SNR, γ)</c> (x₀), <c>min(SNR, γ)/(SNR + 1)</c> (v); float32 <c>[B]</c>.
    /// </summary>
    public static Tensor TargetWeight(Tensor sigma, double gamma, PredictionTarget target)
    {
        ValidateGamma(gamma);
        using var scope = new TensorScope();
        Tensor snr = Snr(sigma);
        Tensor clipped = snr.Minimum(gamma);
        Tensor weight = target switch
        {
            PredictionTarget.Epsilon => clipped / snr,
            PredictionTarget.Sample => clipped,
            PredictionTarget.Velocity => clipped / (snr + 1),
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, "The prediction target must be Epsilon, Sample or Velocity."),
        };
        return weight.MoveToOuterScope();
    }

    /// <summary>The Min-SNR-γ weight of the denoiser error <c>‖D − y‖²</c>, the same for every target: <c>min(1/σ², γ)</c>.</summary>
    public static Tensor DenoiserWeight(Tensor sigma, double gamma) => TargetWeight(sigma, gamma, PredictionTarget.Sample);

    internal static void ValidateGamma(double gamma)
    {
        if (!(gamma > 0) || !double.IsFinite(gamma))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "Min-SNR γ must be positive and finite (Hang et al. 2023: 5).");
        }
    }
}
