using DiffusionCore.Torch;

namespace DiffusionCore.Networks.DiT;

/// <summary>The <see cref="IKeptTokenNetwork"/> view of DiT, for masked pre-training (MaskDM, Lei et al. 2023; docs/recipes.md §4).</summary>
public sealed partial class DiffusionTransformer : IKeptTokenNetwork
{
    /// <inheritdoc />
    int IKeptTokenNetwork.PatchSize => Options.PatchSize;

    /// <summary>
    /// <see cref="IKeptTokenNetwork.ForwardKept"/>: the kept-token forward pass
    /// (<see cref="Forward(Tensor, Tensor, Conditioning, Tensor)"/>) with its tokens scattered back into the full output
    /// image [B, C_out, H, W], zero in the dropped patches.
    /// </summary>
    public Tensor ForwardKept(Tensor input, Tensor noiseLabels, Conditioning conditioning, Tensor keptTokens)
    {
        using var scope = new TensorScope();
        Tensor tokens = Forward(input, noiseLabels, conditioning, keptTokens);
        Tensor full = DiTTokens.Scatter(tokens, keptTokens, NumTokens);
        return DiTTokens.Unpatchify(full, Options.PatchSize, GridSize, GridSize).MoveToOuterScope();
    }
}
