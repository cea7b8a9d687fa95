using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.UViT;

/// <summary>
/// Multi-head self-attention of a U-ViT block (Bao et al. 2023, §3; Vaswani et al. 2017, §3.2.2): <c>qkv</c> =
/// Linear(D, 3D, bias = <see cref="UViTOptions.QkvBias"/>) split as [3, heads, head_dim], softmax(q·kᵀ/√head_dim)·v per
/// head, heads concatenated and projected by <c>proj</c> = Linear(D, D). Keys: <c>qkv.weight</c> (and <c>qkv.bias</c>), <c>proj.*</c>.
/// </summary>
public sealed class UViTAttention : Module
{
    private readonly Linear _qkv;
    private readonly Linear _proj;

    /// <summary>Creates the layer with N(0, 0.02²) weights and zero biases drawn from <paramref name="generator"/>.</summary>
    public UViTAttention(int dim, int numHeads, bool qkvBias, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        NumHeads = numHeads;
        _qkv = RegisterModule("qkv", UViTInit.Linear(dim, 3 * dim, qkvBias, generator, dtype, device));
        _proj = RegisterModule("proj", UViTInit.Linear(dim, dim, true, generator, dtype, device));
    }

    /// <summary>Number of heads.</summary>
    public int NumHeads { get; }

    /// <summary>Self-attention over tokens [B, L, D]; returns [B, L, D].</summary>
    public Tensor Forward(Tensor tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        using var scope = new TensorScope();
        long b = tokens.Size(0), l = tokens.Size(1), d = tokens.Size(2);
        Tensor qkv = _qkv.Forward(tokens).Reshape(b, l, 3, NumHeads, d / NumHeads).Permute(2, 0, 3, 1, 4); // [3, B, H, L, hd]
        Tensor attended = Functional.ScaledDotProductAttention(qkv.Select(0, 0), qkv.Select(0, 1), qkv.Select(0, 2));
        return _proj.Forward(attended.Transpose(1, 2).Reshape(b, l, d)).MoveToOuterScope();
    }
}
