using DiffusionCore.Torch;

namespace DiffusionCore.Control;

/// <summary>
/// A gate that does not depend on σ: 1 adds the control embedding at every noise level (the plain "summed" embedding
/// that Berrada et al. 2024 improve on, docs/recipes.md §6), 0 switches the controls off. Model files store it as
/// <c>{"kind":"constant","value":…}</c> (<see cref="ControlGateRegistry"/>); gates of equal value are equal.
/// </summary>
public sealed record ConstantControlGate : IControlGate
{
    /// <summary>Creates the gate g(σ) = <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1].</exception>
    public ConstantControlGate(double value)
    {
        if (!(value is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A constant control gate must lie in [0, 1] (1 = summed, ungated; 0 = controls off).");
        }

        Value = value;
    }

    /// <summary>The gate value at every σ.</summary>
    public double Value { get; }

    /// <summary>g = 1 at every σ: the controls summed into the embedding without a gate.</summary>
    public static ConstantControlGate Summed { get; } = new(1);

    /// <summary>g = 0 at every σ: the network ignores the controls exactly.</summary>
    public static ConstantControlGate Off { get; } = new(0);

    /// <inheritdoc />
    public Tensor Evaluate(Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        return Tensor.Full(sigma.Shape, Value, sigma.DType, sigma.Device);
    }
}
