using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.DiT;

/// <summary>
/// The adaLN-Zero transformer block (Peebles &amp; Xie 2023, §3.2 and Fig. 3):
/// <c>(shift₁, scale₁, gate₁, shift₂, scale₂, gate₂) = Linear_{D→6D}(SiLU(c))</c>,
/// <c>x ← x + gate₁·Attn(LN(x)·(1+scale₁)+shift₁)</c>, <c>x ← x + gate₂·MLP(LN(x)·(1+scale₂)+shift₂)</c>, the norms
/// without affine parameters (eps 1e-6). The modulation linear starts at zero, so the block starts as the identity.
/// Keys: <c>attn.*</c>, <c>mlp.*</c>, <c>adaLN_modulation.1.*</c>.
/// </summary>
public sealed class DiTBlock : Module
{
    private readonly DiTAttention _attn;
    private readonly DiTMlp _mlp;
    private readonly Sequential _modulation;

    /// <summary>Creates a block of width <paramref name="hiddenSize"/>, drawing weights from <paramref name="generator"/>.</summary>
    public DiTBlock(int hiddenSize, int numHeads, int mlpHiddenSize, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        _attn = RegisterModule("attn", new DiTAttention(hiddenSize, numHeads, generator, dtype, device));
        _mlp = RegisterModule("mlp", new DiTMlp(hiddenSize, mlpHiddenSize, generator, dtype, device));
        _modulation = RegisterModule("adaLN_modulation", AdaLayerNorm.CreateModulation(hiddenSize, 6, generator, dtype, device));
    }

    /// <summary>Transforms tokens [B, T, D] under the conditioning vector c [B, D]; any number of tokens T.</summary>
    public Tensor Forward(Tensor tokens, Tensor conditioning) => Forward(tokens, conditioning, null);

    /// <summary>As <see cref="Forward(Tensor, Tensor)"/>, with an additive attention key mask [B, 1, 1, T] (see <see cref="DiTAttention.Forward(Tensor, Tensor?)"/>).</summary>
    public Tensor Forward(Tensor tokens, Tensor conditioning, Tensor? keyMask)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(conditioning);
        using var scope = new TensorScope();
        Tensor[] m = _modulation.Forward(conditioning).Chunk(6, 1);
        Tensor x = tokens;
        Tensor attn = _attn.Forward(AdaLayerNorm.Modulate(AdaLayerNorm.Normalize(x), m[0], m[1]), keyMask);
        x = x.Add(m[2].Unsqueeze(1).Mul(attn));
        Tensor mlp = _mlp.Forward(AdaLayerNorm.Modulate(AdaLayerNorm.Normalize(x), m[3], m[4]));
        x = x.Add(m[5].Unsqueeze(1).Mul(mlp));
        return x.MoveToOuterScope();
    }
}
