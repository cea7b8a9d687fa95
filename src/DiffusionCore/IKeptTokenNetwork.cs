using DiffusionCore.Torch;

namespace DiffusionCore;

/// <summary>
/// A patch-token network (DiT, U-ViT) that can run on a subset of its tokens: the kept-token forward pass of masked
/// pre-training (MaskDM, Lei et al. 2023, §3; docs/recipes.md §4). The image is split into a <see cref="GridSize"/>² grid
/// of p×p patches (p = <see cref="PatchSize"/>), numbered row by row; the tokens at the kept indices are selected after
/// the patch and position embedding (no mask tokens), only they pass through the network, and only their patches are
/// predicted.
/// </summary>
public interface IKeptTokenNetwork : IDiffusionNetwork
{
    /// <summary>The patch side p in pixels.</summary>
    int PatchSize { get; }

    /// <summary>The side of the token grid the network currently accepts (tokens per row and per column).</summary>
    int GridSize { get; }

    /// <summary>
    /// The raw output for the kept tokens only, laid out as the full output image <c>[B, C_out, H, W]</c>: the predicted
    /// patches of the tokens at int64 indices <paramref name="keptTokens"/> <c>[B, K]</c> (row-major grid indices) in
    /// their places and exactly zero in every dropped patch. The network's compute scales with K; with every token kept
    /// the values equal <see cref="IDiffusionNetwork.Forward"/>.
    /// </summary>
    /// <param name="input">The scaled input <c>c_in(σ)·x</c>, <c>[B, C, H, W]</c> (the whole noisy image).</param>
    /// <param name="noiseLabels">The per-sample noise label, <c>[B]</c>.</param>
    /// <param name="conditioning">Batched conditioning.</param>
    /// <param name="keptTokens">The kept token indices <c>[B, K]</c>, int64, each in [0, GridSize²).</param>
    Tensor ForwardKept(Tensor input, Tensor noiseLabels, Conditioning conditioning, Tensor keptTokens);
}
