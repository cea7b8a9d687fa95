using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Edm;

/// <summary>Shared helpers of the noise-level embeddings.</summary>
internal static class SinusoidalFeatures
{
    /// <summary>[cos(a), sin(a)] along the last dimension.</summary>
    public static Tensor CosSin(Tensor angles)
    {
        using var scope = new TensorScope();
        return Tensor.Cat([angles.Cos(), angles.Sin()], -1).MoveToOuterScope();
    }

    /// <summary>Swaps the two halves of the channel dimension of <c>[B, C]</c> ([cos, sin] → [sin, cos]).</summary>
    public static Tensor SwapHalves(Tensor embedding)
    {
        using var scope = new TensorScope();
        long b = embedding.Size(0);
        return embedding.Reshape(b, 2, -1).Flip(1).Reshape(embedding.Shape).MoveToOuterScope();
    }
}
