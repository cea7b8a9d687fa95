using DiffusionCore.Torch;

namespace DiffusionCore.Training.DeMe;

/// <summary>
/// The random part of range-restricted sampling, from one generator (the step's σ stream): first one uniform that
/// decides whether the batch escapes to the full range, then ⌈B/2⌉ (antithetic) or B uniforms v ∈ [0, 1) for the
/// samples; with antithetic pairing the second half is 1 − v of the first. Always the same number of draws, so the
/// stream's use does not depend on the outcome.
/// </summary>
internal static class RangeDraw
{
    /// <summary>The batch's uniforms v <c>[B]</c> (float64, on the generator's device) and whether it escaped.</summary>
    public static (Tensor V, bool Escaped) Uniforms(long batchSize, NoiseRangeOptions options, Generator generator)
    {
        using var scope = new TensorScope();
        double coin = Tensor.Rand([1], generator, DType.Float64, generator.Device).To(Device.Cpu).ToArray<double>()[0];
        bool escaped = coin < options.EscapeProbability;
        long drawn = options.Antithetic ? (batchSize + 1) / 2 : batchSize;
        Tensor v = Tensor.Rand([drawn], generator, DType.Float64, generator.Device);
        if (options.Antithetic && batchSize > drawn)
        {
            v = Tensor.Cat([v, v.Narrow(0, 0, batchSize - drawn).RSub(1.0)], 0);
        }

        return (v.MoveToOuterScope(), escaped);
    }
}
