using DiffusionCore.Denoisers;
using DiffusionCore.NoiseLevels;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>
/// The rectified-flow (conditional flow-matching) loss (Liu et al. 2023; Lipman et al. 2023; Esser et al. 2024, "SD3",
/// Sect. 2 and 3.1): t ~ π(t), <c>x_t = (1 − t)·y + t·ε</c>, per sample <c>Σ_elements (F(x_t; c_noise(t)) − (ε − y))²</c>
/// for a velocity network F. π(t) is SD3's logit-normal (m = 0, s = 1) by default; <see cref="ModeNoiseLevels"/>
/// gives mode sampling and s = 0 uniform t. The draw stores <c>σ = t/(1 − t)</c> like every continuous loss, so the
/// same network trained here samples through <see cref="PreconditionedDenoiser.FlowMatching"/>. In σ form it is the
/// denoising loss <c>λ(σ)·‖D − y‖²</c> with <c>λ(σ) = ((1 + σ)/σ)² = 1/t²</c> (Karras et al. 2022, Eq. 2), computed
/// here directly in t so small t lose no precision.
/// </summary>
public sealed class FlowMatchingLoss : ITrainingLoss
{
    /// <summary>Binds the loss to a velocity network.</summary>
    /// <param name="network">The velocity network F(x_t; c_noise), called with the path point x_t itself.</param>
    /// <param name="times">π(t) as a distribution of σ = t/(1 − t) (<see cref="LogitNormalNoiseLevels"/>(0, 1) when null).</param>
    /// <param name="preconditioning">The flow parameterisation whose time scale labels the network (scale 1 when null).</param>
    public FlowMatchingLoss(IDiffusionNetwork network, INoiseLevelDistribution? times = null, FlowMatchingPreconditioning? preconditioning = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        Network = network;
        Times = times ?? new LogitNormalNoiseLevels();
        Preconditioning = preconditioning ?? new FlowMatchingPreconditioning();
    }

    /// <summary>The velocity network.</summary>
    public IDiffusionNetwork Network { get; }

    /// <summary>The training distribution of t, drawn in σ form.</summary>
    public INoiseLevelDistribution Times { get; }

    /// <summary>The flow parameterisation (its time scale labels the network).</summary>
    public FlowMatchingPreconditioning Preconditioning { get; }

    /// <inheritdoc />
    public NoiseDraw Draw(ReadOnlySpan<long> imageShape, TrainingStep step) =>
        NoiseDraw.Continuous(Times, imageShape, step);

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The network's output does not have the shape of the images.</exception>
    public Tensor Compute(Tensor images, NoiseDraw draw, Conditioning conditioning, Tensor? mask = null)
    {
        LossReduction.CheckDraw(images, draw);
        ArgumentNullException.ThrowIfNull(conditioning);
        using var scope = new TensorScope();
        Tensor y = images.To(DType.Float32);
        Tensor eps = draw.Noise.To(DType.Float32);
        Tensor sigma = draw.Sigma.To(DType.Float32);
        Tensor keep = (sigma + 1).Reciprocal();                 // 1 − t
        Tensor t = sigma * keep;                                // σ/(1 + σ)
        int rank = y.Dim;
        Tensor xt = (y * LossReduction.PerSample(keep, rank)) + (eps * LossReduction.PerSample(t, rank));
        Tensor velocity = Network.Forward(xt, Preconditioning.NoiseLabels(t), conditioning).To(DType.Float32);
        if (!velocity.Shape.AsSpan().SequenceEqual(y.Shape))
        {
            throw new InvalidOperationException(
                $"The network {Network.GetType().Name} returned shape [{string.Join(", ", velocity.Shape)}] for images " +
                $"[{string.Join(", ", y.Shape)}]; a velocity network's output must have the shape of its input.");
        }

        return LossReduction.SumPerSample((velocity - (eps - y)).Square(), mask).MoveToOuterScope();
    }
}
