using DiffusionCore.Torch;

namespace DiffusionCore.Guidance;

/// <summary>The arithmetic shared by the guidance decorators.</summary>
internal static class GuidanceCombiner
{
    /// <summary>Which samples of a batch lie inside the interval.</summary>
    public static bool[] Inside(Tensor sigma, GuidanceInterval interval)
    {
        using var scope = new TensorScope();
        double[] s = sigma.To(Device.Cpu, DType.Float64).ToArray<double>();
        return s.Select(interval.Contains).ToArray();
    }

    /// <summary><c>D_guide + w·(D_main − D_guide)</c> (Ho and Salimans 2022, Eq. 6; Karras et al. 2024, Eq. 1).</summary>
    public static Tensor Combine(Tensor main, Tensor guide, double scale) => guide + ((main - guide) * scale);

    /// <summary>Keeps the guided value where <paramref name="inside"/> holds and the main value elsewhere.</summary>
    public static Tensor Select(bool[] inside, Tensor guided, Tensor main)
    {
        if (inside.All(b => b)) return guided;
        using var scope = new TensorScope();
        Tensor mask = PerSample.Broadcastable(Tensor.FromArray(inside).To(main.Device), main.Dim);
        return Tensor.Where(mask, guided, main).MoveToOuterScope();
    }

    public static void ValidateScale(double scale)
    {
        if (!double.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The guidance scale w must be finite (w = 1 is no guidance; EDM2 uses 1.2–2.9).");
        }
    }
}
