using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// An ordered container of named UNet stages (the <c>enc</c> and <c>dec</c> module dictionaries of the reference, keyed
/// <c>{res}x{res}_{role}</c>), each tagged with a typed <see cref="UNetStageKind"/> that drives the forward pass.
/// </summary>
internal sealed class UNetStages : Module
{
    private readonly List<(UNetStageKind Kind, Module Module)> _stages = [];

    /// <summary>The stages in order.</summary>
    public IReadOnlyList<(UNetStageKind Kind, Module Module)> Stages => _stages;

    /// <summary>Registers a stage named <c>{resolution}x{resolution}_{role}</c>.</summary>
    public TModule Add<TModule>(int resolution, string role, UNetStageKind kind, TModule module)
        where TModule : Module
    {
        RegisterModule(FormattableString.Invariant($"{resolution}x{resolution}_{role}"), module);
        _stages.Add((kind, module));
        return module;
    }

    /// <summary>Decouple-then-merge projections after every <see cref="UNetStageKind.Block"/> stage, keyed by the stage names.</summary>
    public ChannelProjections BlockProjections(Device? device)
    {
        var projections = new ChannelProjections();
        foreach (((string name, Module module), (UNetStageKind kind, _)) in NamedChildren().Zip(_stages))
        {
            if (kind == UNetStageKind.Block) projections.Add(name, module, ((UNetBlock)module).OutChannels, device);
        }

        return projections;
    }
}
