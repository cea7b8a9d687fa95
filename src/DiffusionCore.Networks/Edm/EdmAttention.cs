using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// Multi-head self-attention over the pixels of a feature map as in the EDM UNet blocks (Vaswani et al. 2017, Eq. 1;
/// Karras et al. 2022, App. F.2). The q/k/v projection output <c>[B, 3C, H, W]</c> is laid out per head as
/// <c>[head, channel, {q, k, v}]</c> (q, k and v interleaved channel by channel), and the attention weights are
/// <c>softmax(qᵀk/√c_head)</c> over the key pixels.
/// </summary>
internal static class EdmAttention
{
    /// <summary>Attends with <paramref name="heads"/> heads and returns <c>[B, C, H, W]</c>.</summary>
    public static Tensor Apply(Tensor qkv, int heads)
    {
        using var scope = new TensorScope();
        long[] s = qkv.Shape;
        long b = s[0], c = s[1] / 3, h = s[2], w = s[3];
        Tensor r = qkv.Reshape(b * heads, c / heads, 3, h * w);
        Tensor q = r.Select(2, 0).Transpose(1, 2);
        Tensor k = r.Select(2, 1).Transpose(1, 2);
        Tensor v = r.Select(2, 2).Transpose(1, 2);
        Tensor a = Functional.ScaledDotProductAttention(q, k, v);
        return a.Transpose(1, 2).Reshape(b, c, h, w).MoveToOuterScope();
    }
}
