using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Samples.Train;

/// <summary>Synthetic data: smooth random images made by bilinearly upsampling 4x4 Gaussian noise to 16x16.</summary>
internal static class SmoothImages
{
    public const int Size = 16;

    /// <summary>A batch [n, 1, 16, 16] drawn from <paramref name="generator"/>, in the current scope.</summary>
    public static Tensor Sample(int n, Generator generator)
    {
        using var scope = new TensorScope();
        Tensor coarse = Tensor.Randn([n, 1, 4, 4], generator);
        return Functional.Interpolate(coarse, (Size, Size), InterpolationMode.Bilinear, alignCorners: true).MoveToOuterScope();
    }
}
