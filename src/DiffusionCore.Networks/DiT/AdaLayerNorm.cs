using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.DiT;

/// <summary>
/// The adaptive layer norm of DiT (Peebles &amp; Xie 2023, §3.2 "adaLN-Zero block"): LayerNorm without learned affine
/// (eps 1e-6) followed by the per-sample modulation <c>LN(x)·(1 + scale) + shift</c>, with shift and scale regressed
/// from the conditioning vector c.
/// </summary>
public static class AdaLayerNorm
{
    /// <summary>The LayerNorm epsilon of every DiT norm (1e-6).</summary>
    public const double Epsilon = 1e-6;

    /// <summary>LayerNorm over the last dimension without affine parameters (eps 1e-6), for tokens [B, T, D].</summary>
    public static Tensor Normalize(Tensor tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return Functional.LayerNorm(tokens, [tokens.Size(-1)], eps: Epsilon);
    }

    /// <summary><c>x·(1 + scale) + shift</c> with per-sample shift and scale [B, D] broadcast over the tokens of x [B, T, D] (reference <c>modulate</c>).</summary>
    public static Tensor Modulate(Tensor tokens, Tensor shift, Tensor scale)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(shift);
        ArgumentNullException.ThrowIfNull(scale);
        using var s = new TensorScope();
        return tokens.Mul(scale.Unsqueeze(1).Add(1.0)).Add(shift.Unsqueeze(1)).MoveToOuterScope();
    }

    /// <summary>
    /// A <c>Sequential(SiLU, Linear(D, chunks·D))</c> regressing the modulation parameters from c, with the linear
    /// initialised to zero ("adaLN-Zero": every block starts as the identity); its key is <c>adaLN_modulation.1</c>.
    /// </summary>
    internal static Sequential CreateModulation(int hiddenSize, int chunks, Generator generator, DType dtype, Device? device)
    {
        var linear = new Linear(hiddenSize, chunks * hiddenSize, generator: generator, dtype: dtype, device: device);
        Init.Zeros(linear.Weight);
        Init.Zeros(linear.Bias!);
        return new Sequential(new Silu(), linear);
    }
}
