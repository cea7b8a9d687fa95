using DiffusionCore.NoiseLevels;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>
/// The denoising score-matching loss of a continuous-σ denoiser (Karras et al. 2022, Eq. 2 and Table 1):
/// <c>σ ~ p_train</c>, <c>n ~ N(0, I)</c>, per sample <c>Σ_elements λ(σ)·(D(y + σn; σ) − y)²</c>. Subclasses fix
/// p_train and λ(σ); the difference <c>D − y</c> is taken in float32 (so a bfloat16 autocast forward stays accurate).
/// </summary>
public abstract class DenoisingLoss : ITrainingLoss
{
    /// <summary>Binds the loss to the denoiser it trains and to the training distribution of σ.</summary>
    protected DenoisingLoss(IDenoiser denoiser, INoiseLevelDistribution noiseLevels)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(noiseLevels);
        Denoiser = denoiser;
        NoiseLevels = noiseLevels;
    }

    /// <summary>The denoiser D(x; σ).</summary>
    public IDenoiser Denoiser { get; }

    /// <summary>The training distribution of σ.</summary>
    public INoiseLevelDistribution NoiseLevels { get; }

    /// <summary>The loss weight λ(σ) per sample (Karras et al. 2022, Table 1 "loss weighting"); float32 <c>[B]</c>.</summary>
    public abstract Tensor Weight(Tensor sigma);

    /// <inheritdoc />
    public NoiseDraw Draw(ReadOnlySpan<long> imageShape, TrainingStep step) =>
        NoiseDraw.Continuous(NoiseLevels, imageShape, step);

    /// <inheritdoc />
    public Tensor Compute(Tensor images, NoiseDraw draw, Conditioning conditioning, Tensor? mask = null)
    {
        LossReduction.CheckDraw(images, draw);
        ArgumentNullException.ThrowIfNull(conditioning);
        using var scope = new TensorScope();
        Tensor y = images.To(DType.Float32);
        Tensor sigma = draw.Sigma.To(DType.Float32);
        Tensor s = LossReduction.PerSample(sigma, y.Dim);
        Tensor x = y + (draw.Noise.To(DType.Float32) * s);
        Tensor denoised = Denoiser.Denoise(x, sigma, conditioning).To(DType.Float32);
        Tensor squaredError = (denoised - y).Square();
        return PerElement(squaredError, sigma, LossReduction.PerSample(Weight(sigma), y.Dim), mask).MoveToOuterScope();
    }

    /// <summary>
    /// Reduces the squared error <c>(D − y)²</c> to per-sample values; by default <c>Σ mask·λ(σ)·(D − y)²</c>.
    /// </summary>
    /// <param name="squaredError">The per-element squared error, float32.</param>
    /// <param name="sigma">σ, <c>[B]</c>.</param>
    /// <param name="weight">λ(σ) broadcastable to the images, <c>[B, 1, …, 1]</c>.</param>
    /// <param name="mask">The element mask, or null.</param>
    protected virtual Tensor PerElement(Tensor squaredError, Tensor sigma, Tensor weight, Tensor? mask) =>
        LossReduction.SumPerSample(squaredError * weight, mask);
}
