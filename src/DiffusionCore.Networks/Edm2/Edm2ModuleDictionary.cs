using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm2;

/// <summary>
/// A named, ordered container of child modules (torch.nn.ModuleDict) for the UNet's <c>enc</c> and <c>dec</c> stages:
/// children are registered under names such as <c>16x16_block0</c>, giving the reference keys
/// <c>enc.16x16_block0.conv_res0.weight</c>.
/// </summary>
internal sealed class Edm2ModuleDictionary : Module
{
    public TModule Add<TModule>(string name, TModule module)
        where TModule : Module => RegisterModule(name, module);
}
