using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.DiT;

/// <summary>
/// The pointwise feed-forward network of a DiT block (Peebles &amp; Xie 2023, §3.2; Vaswani et al. 2017, Eq. 2):
/// <c>fc2(GELU_tanh(fc1(x)))</c> with fc1 = Linear(D, r·D), fc2 = Linear(r·D, D). Keys: <c>fc1.*</c>, <c>fc2.*</c>.
/// </summary>
public sealed class DiTMlp : Module
{
    private readonly Linear _fc1;
    private readonly Linear _fc2;

    /// <summary>Creates the MLP with Xavier-uniform weights and zero biases, drawn from <paramref name="generator"/>.</summary>
    public DiTMlp(int hiddenSize, int mlpHiddenSize, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        _fc1 = RegisterModule("fc1", DiTInit.XavierLinear(hiddenSize, mlpHiddenSize, generator, dtype, device));
        _fc2 = RegisterModule("fc2", DiTInit.XavierLinear(mlpHiddenSize, hiddenSize, generator, dtype, device));
    }

    /// <summary>Applies the MLP to tokens [B, T, D].</summary>
    public Tensor Forward(Tensor tokens)
    {
        using var scope = new TensorScope();
        return _fc2.Forward(_fc1.Forward(tokens).Gelu(tanhApproximation: true)).MoveToOuterScope();
    }
}
