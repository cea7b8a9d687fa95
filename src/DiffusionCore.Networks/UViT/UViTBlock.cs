using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.UViT;

/// <summary>
/// A pre-norm transformer block of U-ViT (Bao et al. 2023, §3 and Fig. 1): with a long skip,
/// <c>x ← skip_linear([x, skip])</c> first; then <c>x ← x + Attn(LN₁(x))</c>, <c>x ← x + MLP(LN₂(x))</c> (affine LayerNorms,
/// eps 10⁻⁵). Keys: <c>norm1.*</c>, <c>attn.*</c>, <c>norm2.*</c>, <c>mlp.*</c>, and <c>skip_linear.*</c> in the out-blocks.
/// </summary>
public sealed class UViTBlock : Module
{
    private readonly LayerNorm _norm1;
    private readonly UViTAttention _attn;
    private readonly LayerNorm _norm2;
    private readonly UViTMlp _mlp;
    private readonly Linear? _skipLinear;

    /// <summary>Creates a block; <paramref name="skip"/> adds the long-skip fusion Linear(2D, D).</summary>
    public UViTBlock(UViTOptions options, bool skip, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        int d = options.EmbedDim;
        _norm1 = RegisterModule("norm1", new LayerNorm(d, dtype: dtype, device: device));
        _attn = RegisterModule("attn", new UViTAttention(d, options.NumHeads, options.QkvBias, generator, dtype, device));
        _norm2 = RegisterModule("norm2", new LayerNorm(d, dtype: dtype, device: device));
        _mlp = RegisterModule("mlp", new UViTMlp(d, options.MlpHiddenSize, generator, dtype, device));
        if (skip) _skipLinear = RegisterModule("skip_linear", UViTInit.Linear(2 * d, d, true, generator, dtype, device));
    }

    /// <summary>Whether the block fuses a long skip.</summary>
    public bool HasSkip => _skipLinear is not null;

    /// <summary>Transforms tokens [B, L, D]; <paramref name="skip"/> [B, L, D] is required exactly when <see cref="HasSkip"/>.</summary>
    public Tensor Forward(Tensor tokens, Tensor? skip = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        using var scope = new TensorScope();
        Tensor x = tokens;
        if (_skipLinear is not null)
        {
            ArgumentNullException.ThrowIfNull(skip);
            x = _skipLinear.Forward(Tensor.Cat([x, skip], -1));
        }

        x = x.Add(_attn.Forward(_norm1.Forward(x)));
        x = x.Add(_mlp.Forward(_norm2.Forward(x)));
        return x.MoveToOuterScope();
    }
}
