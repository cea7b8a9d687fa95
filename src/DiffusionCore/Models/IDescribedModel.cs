namespace DiffusionCore.Models;

/// <summary>
/// A module that can describe itself for a self-describing model file (<see cref="ModelDescription"/>): its network
/// family and options, its preconditioning, its class-label input. The trainer writes the description into every
/// checkpoint and post-hoc EMA export; <c>DiffusionModel.Load(path)</c> rebuilds the module from it.
/// </summary>
public interface IDescribedModel
{
    /// <summary>The description of this module (without an EMA length).</summary>
    /// <exception cref="InvalidOperationException">The module cannot be described (for example an unregistered network inside a wrapper).</exception>
    ModelDescription Describe();
}

/// <summary>
/// A raw network that can describe its architecture (family and options) and class-label input, so a wrapper
/// (<c>PreconditionedNetwork</c>) can describe itself around it.
/// </summary>
public interface IDescribedNetwork
{
    /// <summary>The registered family name of the network (e.g. <c>song-unet</c>).</summary>
    string Family { get; }

    /// <summary>The shape of one sample the network denoises, <c>[C, H, W]</c>.</summary>
    IReadOnlyList<int> SampleShape { get; }

    /// <summary>The network's options as JSON (the family's own serialisation).</summary>
    System.Text.Json.JsonElement SerializeOptions();
}
