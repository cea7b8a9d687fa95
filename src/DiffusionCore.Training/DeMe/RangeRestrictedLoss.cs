using DiffusionCore.NoiseLevels;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;
using DiffusionCore.Training.Losses;

namespace DiffusionCore.Training.DeMe;

/// <summary>
/// A training loss whose noise levels are restricted to one of N ranges (decouple-then-merge, Ma et al. 2024;
/// docs/recipes.md §5): it draws σ (or discrete timesteps) itself — from the step's σ stream, with escape to the full
/// range with probability p per batch and antithetic pairing within the batch (<see cref="NoiseRangeOptions"/>) — and
/// the noise from the step's noise stream, then leaves the loss evaluation to the wrapped loss. Every draw comes from the
/// <see cref="TrainingStep"/>, so a resumed fine-tune draws bit for bit what an uninterrupted one would.
/// Continuous σ: the k-th range is the k-th equal-probability range of the wrapped loss's p_train(σ), sampled through its
/// quantile function. Discrete timesteps: range k holds t = ⌊kT/N⌋ … ⌊(k+1)T/N⌋ − 1.
/// </summary>
public sealed class RangeRestrictedLoss : ITrainingLoss
{
    private readonly INoiseLevelQuantile? _quantile;
    private readonly UniformTimestepNoiseLevels? _timesteps;

    /// <summary>Restricts a continuous-σ loss through the quantile function of its training distribution.</summary>
    /// <param name="inner">The loss that evaluates the draws (a <see cref="DenoisingLoss"/> or a wrapper of one, such as <see cref="ConsistencyLoss"/>).</param>
    /// <param name="options">The range, escape probability and pairing.</param>
    /// <param name="quantile">The quantile function of the inner loss's p_train(σ) (<see cref="NoiseLevelQuantiles.For"/>).</param>
    public RangeRestrictedLoss(ITrainingLoss inner, NoiseRangeOptions options, INoiseLevelQuantile quantile)
        : this(inner, options)
    {
        ArgumentNullException.ThrowIfNull(quantile);
        _quantile = quantile;
    }

    /// <summary>Restricts a discrete-timestep loss (DDPM, ADM) to equal runs of timesteps of <paramref name="schedule"/>.</summary>
    /// <param name="inner">The discrete loss (it needs <see cref="NoiseDraw.Timesteps"/>).</param>
    /// <param name="options">The range, escape probability and pairing.</param>
    /// <param name="schedule">The loss's schedule (<see cref="DiscreteLossBase.Schedule"/>).</param>
    /// <exception cref="ArgumentException">The schedule has fewer timesteps than ranges.</exception>
    public RangeRestrictedLoss(ITrainingLoss inner, NoiseRangeOptions options, DiscreteSchedule schedule)
        : this(inner, options)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (schedule.Timesteps < options.Ranges)
        {
            throw new ArgumentException($"{options.Ranges} ranges need at least {options.Ranges} timesteps; the schedule has {schedule.Timesteps}.", nameof(schedule));
        }

        _timesteps = new UniformTimestepNoiseLevels(schedule);
    }

    private RangeRestrictedLoss(ITrainingLoss inner, NoiseRangeOptions options)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Inner = inner;
        Options = options;
    }

    /// <summary>The wrapped loss.</summary>
    public ITrainingLoss Inner { get; }

    /// <summary>The range options.</summary>
    public NoiseRangeOptions Options { get; }

    /// <summary>Restricts a <see cref="DenoisingLoss"/> through the quantile function of its own p_train(σ).</summary>
    /// <exception cref="ArgumentException">No built-in quantile function for its distribution (<see cref="NoiseLevelQuantiles.For"/>).</exception>
    public static RangeRestrictedLoss For(DenoisingLoss loss, NoiseRangeOptions options)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return new RangeRestrictedLoss(loss, options, NoiseLevelQuantiles.For(loss.NoiseLevels));
    }

    /// <summary>Restricts a discrete-time loss to equal runs of its timesteps.</summary>
    public static RangeRestrictedLoss For(DiscreteLossBase loss, NoiseRangeOptions options)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return new RangeRestrictedLoss(loss, options, loss.Schedule);
    }

    /// <inheritdoc />
    public NoiseDraw Draw(ReadOnlySpan<long> imageShape, TrainingStep step)
    {
        if (imageShape.Length < 2 || imageShape[0] < 1)
        {
            throw new ArgumentException("The image shape must be [B, C, …] with B ≥ 1.", nameof(imageShape));
        }

        ArgumentNullException.ThrowIfNull(step);
        using var scope = new TensorScope();
        (Tensor v, bool escaped) = RangeDraw.Uniforms(imageShape[0], Options, step.Sigma);
        Tensor noise = Tensor.Randn(imageShape, step.Noise, DType.Float32, step.Device);
        int k = Options.Range, n = escaped ? 1 : Options.Ranges, first = escaped ? 0 : k;
        if (_timesteps is not null)
        {
            long total = _timesteps.Schedule.Timesteps;
            long lo = first * total / n, hi = (first + 1) * total / n;
            Tensor t = (v * (hi - lo)).Floor().Clamp(0.0, hi - lo - 1).Add(lo).To(DType.Int64).To(step.Device);
            return new NoiseDraw(_timesteps.SigmaOf(t, DType.Float32).MoveToOuterScope(), noise.MoveToOuterScope(), t.MoveToOuterScope());
        }

        double from = (double)first / n, to = (double)(first + 1) / n;
        Tensor sigma = _quantile!.Quantile((v * (to - from)) + from).To(DType.Float32).To(step.Device);
        return new NoiseDraw(sigma.MoveToOuterScope(), noise.MoveToOuterScope());
    }

    /// <inheritdoc />
    public Tensor Compute(Tensor images, NoiseDraw draw, Conditioning conditioning, Tensor? mask = null) =>
        Inner.Compute(images, draw, conditioning, mask);
}
