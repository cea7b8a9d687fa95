using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// How an EDM layer initialises its weight and bias (Karras et al. 2022, App. F): a distribution
/// (<see cref="EdmInitMode"/>) scaled by <see cref="WeightScale"/> for the weight and <see cref="BiasScale"/> for the
/// bias. Initialisation does not affect loaded weights; it matters only when training from scratch.
/// </summary>
/// <param name="Mode">The distribution of both weight and bias.</param>
/// <param name="WeightScale">Factor applied to the weight draw (0 gives a zero weight).</param>
/// <param name="BiasScale">Factor applied to the bias draw (0, the default, gives a zero bias).</param>
public sealed record EdmInit(EdmInitMode Mode, double WeightScale = 1, double BiasScale = 0)
{
    /// <summary>Xavier-uniform weight, zero bias: the default of DDPM++/NCSN++ (Song et al. 2021; Karras et al. 2022, App. F.2).</summary>
    public static EdmInit XavierUniform { get; } = new(EdmInitMode.XavierUniform);

    /// <summary>Kaiming-normal weight, zero bias: the default of an EDM layer when nothing else is given.</summary>
    public static EdmInit KaimingNormal { get; } = new(EdmInitMode.KaimingNormal);

    /// <summary>Throws when a scale is not finite.</summary>
    /// <exception cref="ArgumentException">A scale is NaN or infinite, or the mode is undefined.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Mode))
        {
            throw new ArgumentException($"EdmInit.Mode {Mode} is not an EdmInitMode.", nameof(Mode));
        }

        if (!double.IsFinite(WeightScale) || !double.IsFinite(BiasScale))
        {
            throw new ArgumentException($"EdmInit scales must be finite; got weight {WeightScale}, bias {BiasScale}.", nameof(WeightScale));
        }
    }

    /// <summary>
    /// Fills <paramref name="tensor"/> in place (no gradient) with a draw of <see cref="Mode"/> for the given fans,
    /// times <paramref name="scale"/>. A no-op draw on the meta device keeps shape-only construction allocation-free.
    /// </summary>
    internal static void Fill(Tensor tensor, EdmInitMode mode, long fanIn, long fanOut, double scale, Generator? generator)
    {
        using var noGrad = new NoGradScope();
        switch (mode)
        {
            case EdmInitMode.XavierUniform:
                double a = Math.Sqrt(6.0 / (fanIn + fanOut));
                tensor.UniformInPlace(-a, a, generator);
                break;
            case EdmInitMode.XavierNormal:
                tensor.NormalInPlace(0, Math.Sqrt(2.0 / (fanIn + fanOut)), generator);
                break;
            case EdmInitMode.KaimingUniform:
                double b = Math.Sqrt(3.0 / fanIn);
                tensor.UniformInPlace(-b, b, generator);
                break;
            case EdmInitMode.KaimingNormal:
                tensor.NormalInPlace(0, Math.Sqrt(1.0 / fanIn), generator);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown EDM initialisation mode");
        }

        if (scale != 1)
        {
            tensor.MulInPlace(scale);
        }
    }

    /// <summary>Initialises a layer's weight and optional bias with this rule and the given fans (weight drawn first).</summary>
    internal void Apply(Tensor? weight, Tensor? bias, long fanIn, long fanOut, Generator? generator)
    {
        if (weight is not null)
        {
            Fill(weight, Mode, fanIn, fanOut, WeightScale, generator);
        }

        if (bias is not null)
        {
            Fill(bias, Mode, fanIn, fanOut, BiasScale, generator);
        }
    }
}
