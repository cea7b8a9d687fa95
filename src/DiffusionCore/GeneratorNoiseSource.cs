using DiffusionCore.Torch;

namespace DiffusionCore;

/// <summary>
/// Noise from one <see cref="Generator"/> for the whole batch: fast, reproducible for a given batch, but image k
/// depends on the batch it is drawn in. Use <see cref="PerSampleNoiseSource"/> when that matters.
/// </summary>
public sealed class GeneratorNoiseSource : INoiseSource
{
    /// <summary>Draws from <paramref name="generator"/> (not owned).</summary>
    public GeneratorNoiseSource(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        Generator = generator;
    }

    /// <summary>The generator.</summary>
    public Generator Generator { get; }

    /// <inheritdoc />
    public Tensor Randn(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null)
    {
        Device target = device ?? Device.Cpu;
        if (target == Generator.Device)
        {
            return Tensor.Randn(shape, Generator, dtype, target);
        }

        using var scope = new TensorScope();
        return Tensor.Randn(shape, Generator, dtype, Generator.Device).To(target).MoveToOuterScope();
    }
}
