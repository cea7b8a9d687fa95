using DiffusionCore.Torch;

namespace DiffusionCore.NoiseLevels;

/// <summary>Shared argument checks of the noise-level distributions.</summary>
internal static class NoiseLevelSampling
{
    public static Device Check(long batchSize, Generator generator, DType dtype, Device? device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentNullException.ThrowIfNull(generator);
        if (!dtype.IsFloatingPoint())
        {
            throw new ArgumentException($"Noise levels are floating point; got dtype {dtype}.", nameof(dtype));
        }

        return device ?? generator.Device;
    }

    /// <summary>Draws in float64 on the generator's device (reproducible bits), then converts.</summary>
    public static Tensor Finish(Tensor sigma64, DType dtype, Device device) => sigma64.To(device, dtype);
}
