namespace DiffusionCore.Labels;

/// <summary>
/// A network (or a denoiser wrapping one) that declares how it takes class labels (<see cref="ClassLabelSpec"/>), so
/// that guidance, generation and label dropout use its own unconditional input (Ho &amp; Salimans 2022, §3.2).
/// </summary>
public interface IClassConditioned
{
    /// <summary>The network's class-label input, or null when it takes no class labels.</summary>
    ClassLabelSpec? ClassLabelSpec { get; }
}
