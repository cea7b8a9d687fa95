using DiffusionCore.Torch;

namespace DiffusionCore.NoiseLevels;

/// <summary>
/// SD3's logit-normal time distribution (Esser et al. 2024, Sect. 3.1, Eq. 19):
/// <c>π_ln(t; m, s) = 1/(s√(2π)) · 1/(t(1−t)) · exp(−(logit(t) − m)²/(2s²))</c>, i.e. <c>t = sigmoid(m + s·z)</c>,
/// z ~ N(0, 1) (SD3's best setting: m = 0, s = 1). In σ form <c>σ = t/(1−t) = e^{m + s·z}</c>: exactly EDM's
/// log-normal <c>ln σ ~ N(m, s²)</c> (<see cref="LogNormalNoiseLevels"/>, Karras et al. 2022, Table 1), and
/// <see cref="Sample"/> returns its bits.
/// </summary>
public sealed class LogitNormalNoiseLevels : FlowTimeDistribution
{
    private readonly LogNormalNoiseLevels _sigma;

    /// <summary>Creates it (SD3: location m = 0, scale s = 1).</summary>
    public LogitNormalNoiseLevels(double location = 0, double scale = 1)
    {
        if (!double.IsFinite(location)) throw new ArgumentOutOfRangeException(nameof(location), location, "The location m must be finite (SD3: 0).");
        if (!(scale > 0) || !double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale s must be positive and finite (SD3: 1).");
        Location = location;
        Scale = scale;
        _sigma = new LogNormalNoiseLevels(location, scale);
    }

    /// <summary>m, the location of logit(t).</summary>
    public double Location { get; }

    /// <summary>s, the scale of logit(t).</summary>
    public double Scale { get; }

    /// <inheritdoc />
    public override double Density(double t)
    {
        if (!(t > 0 && t < 1)) return 0;
        double z = (Math.Log(t / (1 - t)) - Location) / Scale;
        return Math.Exp(-0.5 * z * z) / (Scale * Math.Sqrt(2 * Math.PI) * t * (1 - t));
    }

    /// <summary>Draws <c>σ = e^{m + s·z}</c> per sample: the bits of <c>new LogNormalNoiseLevels(m, s)</c>.</summary>
    public override Tensor Sample(long batchSize, Generator generator, DType dtype = DType.Float32, Device? device = null) =>
        _sigma.Sample(batchSize, generator, dtype, device);

    /// <inheritdoc />
    protected override Tensor DrawTimes(long batchSize, Generator generator) =>
        ((Tensor.Randn([batchSize], generator, DType.Float64, generator.Device) * Scale) + Location).Sigmoid();
}
