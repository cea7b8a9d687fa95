using DiffusionCore.Denoisers;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// The compatible path of <see cref="PreconditionedModule{TNetwork}"/> (DiffusionCore.Denoisers) for code written
/// against 0.1: the same module, <c>D(x; σ) = c_skip(σ)·x + c_out(σ)·F(c_in(σ)·x; c_noise(σ))</c> (Karras et al. 2022,
/// Eq. 7 and Table 1), with the network under <c>model.</c>. New code uses <see cref="PreconditionedModule{TNetwork}"/>,
/// which needs no type from a network family's namespace.
/// </summary>
/// <typeparam name="TNetwork">The raw network, e.g. <see cref="SongUNet"/> or <see cref="DhariwalUNet"/>.</typeparam>
public sealed class PreconditionedNetwork<TNetwork> : PreconditionedModule<TNetwork>
    where TNetwork : Module, IDiffusionNetwork
{
    /// <summary>Wraps <paramref name="model"/>; the wrapper owns it from now on (disposing the wrapper disposes it).</summary>
    /// <param name="model">The raw network F.</param>
    /// <param name="preconditioning">The preconditioning whose coefficients define D.</param>
    /// <param name="options">Compute dtype and learned-variance handling (float32 by default, as the reference).</param>
    public PreconditionedNetwork(TNetwork model, Preconditioning preconditioning, PreconditionedDenoiserOptions? options = null)
        : base(model, preconditioning, options)
    {
    }
}
