using DiffusionCore.Labels;
using DiffusionCore.Torch;

namespace DiffusionCore.Control;

/// <summary>
/// Control dropout (Berrada et al. 2024; docs/control-conditioning.md): each sample's whole control vector is replaced
/// by the neutral (all-zero) vector with probability p, independently of label dropout, so the model also learns the
/// prediction without controls and sampling can guide the controls with their own scale (<see cref="Guidance.ControlGuidance"/>).
/// One uniform number per sample is drawn from the generator (float32, batch order); a row is dropped when u &lt; p.
/// </summary>
public static class ControlDropout
{
    /// <summary>Drops each row of the control metadata <c>[B, M]</c> to zeros with probability <paramref name="probability"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1].</exception>
    /// <exception cref="ArgumentException">The controls are not float <c>[B, M]</c>.</exception>
    public static Tensor Apply(Tensor controls, double probability, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(controls);
        ArgumentNullException.ThrowIfNull(generator);
        if (controls.Dim != 2 || !controls.DType.IsFloatingPoint())
        {
            throw new ArgumentException(
                $"Control metadata must be a float matrix [B, M] (one row of M control values per sample); got {controls.DType} [{string.Join(", ", controls.Shape)}].",
                nameof(controls));
        }

        if (!(probability is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The control dropout probability must be in [0, 1] (e.g. 0.1; 0 = never drop).");
        }

        return LabelDropout.Apply(controls, probability, generator);
    }

    /// <summary>
    /// The conditioning with its <see cref="ConditioningKeys.ControlMetadata"/> rows dropped per sample
    /// (<see cref="Apply(Tensor, double, Generator)"/>); unchanged when it has no control metadata.
    /// </summary>
    public static Conditioning Apply(Conditioning conditioning, double probability, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        return conditioning.ControlMetadata is { } controls
            ? conditioning.With(ConditioningKeys.ControlMetadata, Apply(controls, probability, generator))
            : conditioning;
    }
}
