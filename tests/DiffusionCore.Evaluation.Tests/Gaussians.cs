using DiffusionCore.Torch;

namespace DiffusionCore.Evaluation.Tests;

/// <summary>Small float64 helpers for closed-form Fréchet distance tests.</summary>
internal static class Gaussians
{
    public static Tensor Vector(params double[] values) => Tensor.FromArray(values, values.Length);

    public static Tensor Matrix(int n, params double[] values) => Tensor.FromArray(values, n, n);

    public static Tensor Diagonal(params double[] values)
    {
        using var scope = new TensorScope();
        return (Tensor.Eye(values.Length, DType.Float64) * Vector(values).Unsqueeze(0)).MoveToOuterScope();
    }

    /// <summary>A random orthogonal matrix: the eigenvectors of a seeded random symmetric matrix.</summary>
    public static Tensor RandomRotation(ulong seed, int n)
    {
        using var scope = new TensorScope();
        using var g = new Generator(seed);
        Tensor m = Tensor.Randn([n, n], g, DType.Float64);
        return (m + m.Transpose(0, 1)).EigenSymmetric().Vectors.MoveToOuterScope();
    }

    /// <summary>A random symmetric positive-definite matrix A·Aᵀ + 0.1·I.</summary>
    public static Tensor RandomSpd(ulong seed, int n)
    {
        using var scope = new TensorScope();
        using var g = new Generator(seed);
        Tensor a = Tensor.Randn([n, n], g, DType.Float64);
        return (a.MatMul(a.Transpose(0, 1)) + (Tensor.Eye(n, DType.Float64) * 0.1)).MoveToOuterScope();
    }

    public static Tensor Randn(ulong seed, params long[] shape)
    {
        using var g = new Generator(seed);
        return Tensor.Randn(shape, g, DType.Float64);
    }
}
