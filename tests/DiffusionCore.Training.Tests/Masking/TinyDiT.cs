using DiffusionCore.Networks.DiT;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Tests.Masking;

/// <summary>A tiny unconditional DiT (8×8 images, patch 2 → a 4×4 grid) with every weight perturbed away from DiT's zero initialisation, so its output and gradients depend on the input.</summary>
internal static class TinyDiT
{
    public static DiTOptions Options { get; } = new()
    {
        InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 16, Depth = 2, NumHeads = 2, NumClasses = 0, ClassDropoutProbability = 0, LearnSigma = false,
    };

    public static DiffusionTransformer Create(ulong seed = 11)
    {
        using var init = new Generator(seed);
        var dit = new DiffusionTransformer(Options, init);
        using var noGrad = new NoGradScope();
        using var scope = new TensorScope();
        foreach (Tensor p in dit.Parameters().Where(p => p.RequiresGrad))
        {
            p.AddInPlace(Tensor.Randn(p.Shape, init).Mul(0.1));
        }

        return dit;
    }
}
