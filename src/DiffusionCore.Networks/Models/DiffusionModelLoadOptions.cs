using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Models;

/// <summary>Options of <see cref="DiffusionModel.Load"/>.</summary>
public sealed record DiffusionModelLoadOptions
{
    /// <summary>
    /// For a training checkpoint: the name of a tracked EMA (its tensors <c>ema.&lt;name&gt;.*</c>) to load instead of the
    /// raw network weights (<c>network.*</c>). Null (default) loads the raw weights; must be null for an exported file.
    /// </summary>
    public string? Ema { get; init; }

    /// <summary>The registry of network families; <see cref="NetworkRegistry.Default"/> when null.</summary>
    public NetworkRegistry? Registry { get; init; }

    /// <summary>The device of the rebuilt module (CPU when null).</summary>
    public Device? Device { get; init; }
}
