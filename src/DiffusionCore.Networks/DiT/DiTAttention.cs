using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.DiT;

/// <summary>
/// Multi-head self-attention of a DiT block (Peebles &amp; Xie 2023, §3.2; Vaswani et al. 2017, Eq. 1 and §3.2.2):
/// <c>qkv</c> = Linear(D, 3D) whose output splits as [3, heads, head_dim], softmax(q·kᵀ/√head_dim)·v per head,
/// heads concatenated and projected by <c>proj</c> = Linear(D, D). Keys: <c>qkv.weight/bias</c>, <c>proj.weight/bias</c>.
/// </summary>
public sealed class DiTAttention : Module
{
    private readonly Linear _qkv;
    private readonly Linear _proj;

    /// <summary>Creates the layer with Xavier-uniform weights and zero biases, drawn from <paramref name="generator"/>.</summary>
    public DiTAttention(int hiddenSize, int numHeads, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (numHeads < 1 || hiddenSize % numHeads != 0)
        {
            throw new ArgumentException($"The width {hiddenSize} must split evenly into {numHeads} heads.", nameof(numHeads));
        }

        NumHeads = numHeads;
        _qkv = RegisterModule("qkv", DiTInit.XavierLinear(hiddenSize, 3 * hiddenSize, generator, dtype, device));
        _proj = RegisterModule("proj", DiTInit.XavierLinear(hiddenSize, hiddenSize, generator, dtype, device));
    }

    /// <summary>Number of heads.</summary>
    public int NumHeads { get; }

    /// <summary>Self-attention over tokens [B, T, D]; returns [B, T, D].</summary>
    public Tensor Forward(Tensor tokens) => Forward(tokens, null);

    /// <summary>
    /// Self-attention over tokens [B, T, D] with an optional additive key mask [B, 1, 1, T] (0 = attend, −∞ = ignore;
    /// padding text tokens in joint attention, docs/control-conditioning.md); returns [B, T, D].
    /// </summary>
    public Tensor Forward(Tensor tokens, Tensor? keyMask)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        using var scope = new TensorScope();
        long[] shape = tokens.Shape;
        long b = shape[0], t = shape[1], d = shape[2];
        Tensor qkv = _qkv.Forward(tokens).Reshape(b, t, 3, NumHeads, d / NumHeads).Permute(2, 0, 3, 1, 4); // [3, B, H, T, hd]
        Tensor attended = Functional.ScaledDotProductAttention(qkv.Select(0, 0), qkv.Select(0, 1), qkv.Select(0, 2), keyMask); // [B, H, T, hd]
        Tensor merged = attended.Transpose(1, 2).Reshape(b, t, d);
        return _proj.Forward(merged).MoveToOuterScope();
    }
}
