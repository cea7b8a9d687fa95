using DiffusionCore.NoiseLevels;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>
/// Shared part of the losses of discrete-time ε-prediction models (Ho et al. 2020, Algorithm 1): uniform timesteps
/// <c>t ~ U{0, …, T−1}</c> (drawn from the step's σ stream), <c>x_t = √ᾱ_t·y + √(1 − ᾱ_t)·ε</c>, and the network called as <c>F(x_t, t, c)</c> with the
/// integer timestep as its noise label (as ADM and DiT). <see cref="NoiseDraw.Sigma"/> holds <c>σ_t = √((1 − ᾱ_t)/ᾱ_t)</c>.
/// </summary>
public abstract class DiscreteLossBase : ITrainingLoss
{
    private readonly UniformTimestepNoiseLevels _timesteps;

    private protected DiscreteLossBase(IDiffusionNetwork network, DiscreteSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(schedule);
        Network = network;
        Schedule = schedule;
        _timesteps = new UniformTimestepNoiseLevels(schedule);
        Tables = new DiscreteDiffusionTables(schedule);
    }

    /// <summary>The ε-prediction network <c>F(x_t, t, c)</c> (C output channels, or 2C with learned variance).</summary>
    public IDiffusionNetwork Network { get; }

    /// <summary>The discrete noise schedule.</summary>
    public DiscreteSchedule Schedule { get; }

    private protected DiscreteDiffusionTables Tables { get; }

    /// <inheritdoc />
    public NoiseDraw Draw(ReadOnlySpan<long> imageShape, TrainingStep step)
    {
        LossReduction.CheckShape(imageShape);
        ArgumentNullException.ThrowIfNull(step);
        Tensor t = _timesteps.SampleTimesteps(imageShape[0], step.Sigma, step.Device);
        Tensor noise = Tensor.Randn(imageShape, step.Noise, DType.Float32, step.Device);
        return new NoiseDraw(_timesteps.SigmaOf(t, DType.Float32), noise, t);
    }

    /// <inheritdoc />
    public Tensor Compute(Tensor images, NoiseDraw draw, Conditioning conditioning, Tensor? mask = null)
    {
        LossReduction.CheckDraw(images, draw);
        ArgumentNullException.ThrowIfNull(conditioning);
        Tensor timesteps = draw.Timesteps ?? throw new ArgumentException(
            "A discrete-time loss needs the timesteps in the draw (NoiseDraw.Timesteps); draw with this loss's Draw.", nameof(draw));
        using var scope = new TensorScope();
        Tensor y = images.To(DType.Float32);
        Tensor eps = draw.Noise.To(DType.Float32);
        int rank = y.Dim;
        Tensor xt = (DiscreteDiffusionTables.Gather(Tables.SqrtAlphaBar, timesteps, rank) * y) +
                    (DiscreteDiffusionTables.Gather(Tables.SqrtOneMinusAlphaBar, timesteps, rank) * eps);
        Tensor output = Network.Forward(xt, timesteps.To(DType.Float32), conditioning).To(DType.Float32);
        return Reduce(y, eps, xt, timesteps, output, mask).MoveToOuterScope();
    }

    /// <summary>The per-sample loss from the clean images, noise, noisy input, timesteps and raw network output.</summary>
    private protected abstract Tensor Reduce(Tensor y, Tensor eps, Tensor xt, Tensor timesteps, Tensor output, Tensor? mask);
}
