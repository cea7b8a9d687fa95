using DiffusionCore.Torch;

namespace DiffusionCore.Training.Masking;

/// <summary>
/// Routes a patch-token network to its kept-token forward pass during masked pre-training (MaskDM, Lei et al. 2023, §3;
/// docs/recipes.md §4): when the conditioning holds kept token indices under <see cref="KeptTokensKey"/> (the trainer puts
/// them there), the network runs on those tokens only (<see cref="IKeptTokenNetwork.ForwardKept"/>: no mask tokens, no
/// decoder, zero output in dropped patches); otherwise it runs on the whole image. Wrap the network in this before binding
/// it to a loss or preconditioning — <c>new EdmLoss(new PreconditionedDenoiser(new MaskedTokenNetwork(dit), new EdmPreconditioning()))</c>,
/// <c>new DdpmEpsilonLoss(new MaskedTokenNetwork(dit), schedule)</c> — so any loss that accepts an element mask trains
/// on the visible patches only, at the compute of the kept tokens.
/// </summary>
public sealed class MaskedTokenNetwork : IDiffusionNetwork
{
    /// <summary>The conditioning entry of the kept token indices, int64 <c>[B, K]</c>.</summary>
    public const string KeptTokensKey = "maskdm.kept_tokens";

    /// <summary>Wraps <paramref name="network"/>.</summary>
    public MaskedTokenNetwork(IKeptTokenNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Network = network;
    }

    /// <summary>The wrapped network.</summary>
    public IKeptTokenNetwork Network { get; }

    /// <summary>The number of forward passes that ran on kept tokens only (a check that masking reached the network).</summary>
    public long KeptForwardCount { get; private set; }

    /// <inheritdoc />
    public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        if (conditioning.Find(KeptTokensKey) is not { } kept) return Network.Forward(input, noiseLabels, conditioning);
        KeptForwardCount++;
        return Network.ForwardKept(input, noiseLabels, conditioning.Without(KeptTokensKey), kept);
    }
}
