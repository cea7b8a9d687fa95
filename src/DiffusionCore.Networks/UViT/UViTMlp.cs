using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.UViT;

/// <summary>The feed-forward network of a U-ViT block (Bao et al. 2023; timm's <c>Mlp</c>): <c>fc2(GELU(fc1(x)))</c> with the exact GELU. Keys: <c>fc1.*</c>, <c>fc2.*</c>.</summary>
public sealed class UViTMlp : Module
{
    private readonly Linear _fc1;
    private readonly Linear _fc2;

    /// <summary>Creates the MLP D → hidden → D with N(0, 0.02²) weights and zero biases.</summary>
    public UViTMlp(int dim, int hidden, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        _fc1 = RegisterModule("fc1", UViTInit.Linear(dim, hidden, true, generator, dtype, device));
        _fc2 = RegisterModule("fc2", UViTInit.Linear(hidden, dim, true, generator, dtype, device));
    }

    /// <summary>Applies the MLP to tokens [B, L, D].</summary>
    public Tensor Forward(Tensor tokens)
    {
        using var scope = new TensorScope();
        return _fc2.Forward(_fc1.Forward(tokens).Gelu()).MoveToOuterScope();
    }
}
