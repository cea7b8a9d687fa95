using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.NoiseLevels;

/// <summary>
/// Uniform discrete timesteps (Ho et al. 2020, Algorithm 1; DiT): <c>t ~ U{0, …, T−1}</c>, <c>σ = σ_t</c> of a
/// <see cref="DiscreteSchedule"/>. <see cref="SampleTimesteps"/> gives the timesteps themselves.
/// </summary>
public sealed class UniformTimestepNoiseLevels : INoiseLevelDistribution
{
    /// <summary>Creates it over <paramref name="schedule"/>.</summary>
    public UniformTimestepNoiseLevels(DiscreteSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        Schedule = schedule;
    }

    /// <summary>The discrete schedule.</summary>
    public DiscreteSchedule Schedule { get; }

    /// <summary>Draws int64 timesteps <c>[batchSize]</c>, uniform in 0..T−1.</summary>
    public Tensor SampleTimesteps(long batchSize, Generator generator, Device? device = null)
    {
        Device d = NoiseLevelSampling.Check(batchSize, generator, DType.Float32, device);
        using var scope = new TensorScope();
        return Tensor.RandInt(0, Schedule.Timesteps, [batchSize], generator, DType.Int64, generator.Device).To(d).MoveToOuterScope();
    }

    /// <summary>The σ of given int64 timesteps (<c>σ_t</c>), as <paramref name="dtype"/> on the timesteps' device.</summary>
    public Tensor SigmaOf(Tensor timesteps, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        using var scope = new TensorScope();
        Tensor table = Tensor.FromArray(Schedule.Sigmas.ToArray()).To(timesteps.Device, DType.Float64);
        return table.IndexSelect(0, timesteps.To(DType.Int64).Reshape(-1)).To(dtype).MoveToOuterScope();
    }

    /// <inheritdoc />
    public Tensor Sample(long batchSize, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        using var scope = new TensorScope();
        Tensor t = SampleTimesteps(batchSize, generator, device);
        return SigmaOf(t, dtype).MoveToOuterScope();
    }
}
