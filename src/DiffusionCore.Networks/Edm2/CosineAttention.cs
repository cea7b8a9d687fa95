using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Edm2;

/// <summary>
/// EDM2's cosine self-attention core (Karras et al. 2024, Section 2.3 and Fig. 21): the 1×1 qkv projection's channels
/// are grouped as (head, channel, q/k/v); q, k and v are pixel-normalised per head over the channel dimension, and
/// <c>softmax(qᵀk/√c_h)·v</c> is taken over the H·W positions.
/// </summary>
internal static class CosineAttention
{
    /// <summary>Attention of a qkv projection <c>[N, 3C, H, W]</c>; returns <c>[N, C, H, W]</c> before the output projection.</summary>
    public static Tensor Apply(Tensor qkv, int heads)
    {
        long[] s = qkv.Shape;
        long n = s[0], channels = s[1] / 3, positions = s[2] * s[3];
        long perHead = channels / heads;
        using var scope = new TensorScope();
        Tensor y = qkv.Reshape(n, heads, perHead, 3, positions);
        y = MagnitudePreserving.Normalize(y, [2]);
        Tensor q = y.Select(3, 0);
        Tensor k = y.Select(3, 1);
        Tensor v = y.Select(3, 2);
        Tensor w = Tensor.Einsum("nhcq,nhck->nhqk", q, k.Div(Math.Sqrt(perHead))).Softmax(3);
        Tensor o = Tensor.Einsum("nhqk,nhck->nhcq", w, v);
        return o.Reshape(n, channels, s[2], s[3]).MoveToOuterScope();
    }
}
