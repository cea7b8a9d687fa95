using System.Text.Json;
using DiffusionCore.Denoisers;
using DiffusionCore.Models;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Models;

/// <summary>
/// A network family in the <see cref="NetworkRegistry"/>: its name (as written in <see cref="ModelDescription.Family"/>)
/// and how to build its network from the stored options, explicitly, without reflection. Register your own with
/// <see cref="Create{TNetwork}"/> and make the network implement <see cref="IDescribedNetwork"/> to write files of it.
/// </summary>
public sealed class NetworkFamily
{
    private readonly Func<ModelDescription, Generator, Device?, (Module Module, IDenoiser Denoiser)> _build;

    private NetworkFamily(string name, Func<ModelDescription, Generator, Device?, (Module, IDenoiser)> build)
    {
        Name = name;
        _build = build;
    }

    /// <summary>The family name (<c>edm2</c>, <c>song-unet</c>, …).</summary>
    public string Name { get; }

    /// <summary>
    /// A family whose network is built from its options JSON. It supports the layouts <see cref="ModelLayout.Network"/>
    /// (the denoiser is a <see cref="PreconditionedDenoiser"/> over the network) and
    /// <see cref="ModelLayout.PreconditionedNetwork"/> (a <see cref="PreconditionedModule{TNetwork}"/>), and
    /// <see cref="ModelLayout.Denoiser"/> when <paramref name="buildDenoiser"/> is given.
    /// </summary>
    /// <typeparam name="TNetwork">The raw network type.</typeparam>
    /// <param name="name">The family name (non-empty; compared ordinally).</param>
    /// <param name="buildNetwork">Builds the network from the stored options (weights are overwritten by the file's).</param>
    /// <param name="buildDenoiser">Builds the family's own denoiser module, when it has one (EDM2's <c>Precond</c>).</param>
    public static NetworkFamily Create<TNetwork>(
        string name,
        Func<JsonElement, Generator, Device?, TNetwork> buildNetwork,
        Func<JsonElement, Generator, Device?, Module>? buildDenoiser = null)
        where TNetwork : Module, IDiffusionNetwork
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(buildNetwork);
        return new NetworkFamily(name, (description, generator, device) =>
        {
            switch (description.Layout)
            {
                case ModelLayout.Network:
                {
                    TNetwork network = buildNetwork(description.Options, generator, device);
                    PreconditioningDescription p = NeedPreconditioning(description);
                    return (network, new PreconditionedDenoiser(network, p.Create(), p.CreateOptions()));
                }

                case ModelLayout.PreconditionedNetwork:
                {
                    PreconditioningDescription p = NeedPreconditioning(description);
                    var module = new PreconditionedModule<TNetwork>(buildNetwork(description.Options, generator, device), p.Create(), p.CreateOptions());
                    return (module, module);
                }

                case ModelLayout.Denoiser when buildDenoiser is not null:
                {
                    Module module = buildDenoiser(description.Options, generator, device);
                    return (module, module as IDenoiser ?? throw new InvalidOperationException($"The '{name}' family's denoiser builder returned {module.GetType().Name}, which is no IDenoiser."));
                }

                default:
                    throw new ModelFileException($"The '{name}' network family cannot build the layout {description.Layout}.");
            }
        });
    }

    /// <summary>Builds the module and its denoiser for a description of this family.</summary>
    internal (Module Module, IDenoiser Denoiser) Build(ModelDescription description, Generator generator, Device? device) =>
        _build(description, generator, device);

    private static PreconditioningDescription NeedPreconditioning(ModelDescription description) =>
        description.Preconditioning ?? throw new ModelFileException(
            $"The model description of the '{description.Family}' network has layout {description.Layout} but no preconditioning; rewrite the file with ModelFile.Save.");
}
