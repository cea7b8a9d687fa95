using DiffusionCore.Torch;
using DiffusionCore.Training.Losses;

namespace DiffusionCore.Training.DeMe;

/// <summary>
/// Decouple-then-merge's consistency loss (Ma et al. 2024; docs/recipes.md §5): the denoising loss plus
/// <c>w·λ(σ)·‖D_θ(x; σ) − D_θ₀(x; σ)‖²</c> per sample, where θ₀ is a frozen copy of the pretrained model evaluated on the
/// same noisy input, noise level and conditioning, and λ(σ) is the inner loss's weight (so the term is measured like the
/// denoising loss; the paper's ε-space form <c>‖ε_θ − ε_θ₀‖²</c> is the same up to this weighting). It keeps each range
/// copy close to the pretrained model where its range gives it no data. The trained model's output is taken from a
/// <see cref="DenoiserTap"/> the inner loss is built on, so the trained model runs once per step; the frozen model runs
/// without gradients. At initialisation (θ = θ₀) the term is exactly zero.
/// </summary>
public sealed class ConsistencyLoss : ITrainingLoss
{
    private readonly DenoiserTap _tap;

    /// <summary>Creates it.</summary>
    /// <param name="inner">The denoising loss, built on <paramref name="tap"/> (for example <c>new Edm2Loss(tap)</c>).</param>
    /// <param name="tap">The tap around the trained denoiser.</param>
    /// <param name="frozen">The frozen pretrained denoiser θ₀ (in evaluation mode; it is never trained).</param>
    /// <param name="weight">The weight w of the consistency term (DeMe: 1).</param>
    /// <exception cref="ArgumentException">The inner loss is not built on the tap, or the weight is negative or not finite.</exception>
    public ConsistencyLoss(DenoisingLoss inner, DenoiserTap tap, IDenoiser frozen, double weight = 1.0)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(tap);
        ArgumentNullException.ThrowIfNull(frozen);
        if (!ReferenceEquals(inner.Denoiser, tap))
        {
            throw new ArgumentException("Build the inner loss on the DenoiserTap (for example new Edm2Loss(tap)), so the consistency term sees the trained model's output.", nameof(inner));
        }

        if (!(weight >= 0) || !double.IsFinite(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "The consistency weight must be finite and ≥ 0 (DeMe: 1).");
        }

        Inner = inner;
        _tap = tap;
        Frozen = frozen;
        Weight = weight;
    }

    /// <summary>The denoising loss.</summary>
    public DenoisingLoss Inner { get; }

    /// <summary>The frozen pretrained denoiser θ₀.</summary>
    public IDenoiser Frozen { get; }

    /// <summary>The weight w of the consistency term.</summary>
    public double Weight { get; }

    /// <inheritdoc />
    public NoiseDraw Draw(ReadOnlySpan<long> imageShape, TrainingStep step) => Inner.Draw(imageShape, step);

    /// <summary>The denoising loss plus <c>w·λ(σ)·Σ mask·(D_θ − D_θ₀)²</c>, per sample <c>[B]</c>.</summary>
    /// <inheritdoc />
    public Tensor Compute(Tensor images, NoiseDraw draw, Conditioning conditioning, Tensor? mask = null)
    {
        using var scope = new TensorScope();
        Tensor loss = Inner.Compute(images, draw, conditioning, mask);
        (Tensor x, Tensor sigma, Conditioning c, Tensor output) = _tap.Take()
            ?? throw new InvalidOperationException("The inner loss did not call the DenoiserTap: build it on the tap.");
        try
        {
            Tensor reference;
            using (new NoGradScope())
            {
                reference = Frozen.Denoise(x, sigma, c).To(DType.Float32);
            }

            Tensor squared = (output.To(DType.Float32) - reference).Square();
            Tensor lambda = LossReduction.PerSample(Inner.Weight(sigma.To(DType.Float32)), squared.Dim);
            return (loss + (LossReduction.SumPerSample(squared * lambda, mask) * Weight)).MoveToOuterScope();
        }
        finally
        {
            x.Dispose();
            sigma.Dispose();
            output.Dispose();
        }
    }
}
