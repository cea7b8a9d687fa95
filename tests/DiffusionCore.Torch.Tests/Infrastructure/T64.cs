namespace DiffusionCore.Torch.Tests.Infrastructure;

/// <summary>Small deterministic float64 test tensors (each from its own seeded generator).</summary>
internal static class T64
{
    /// <summary>N(0, 1) samples.</summary>
    public static Tensor Randn(ulong seed, params long[] shape)
    {
        using var g = new Generator(seed);
        return Tensor.Randn(shape, g, DType.Float64);
    }

    /// <summary>U[lo, hi) samples.</summary>
    public static Tensor Uniform(ulong seed, double lo, double hi, params long[] shape)
    {
        using var g = new Generator(seed);
        using var scope = new TensorScope();
        return Tensor.Rand(shape, g, DType.Float64).Mul(hi - lo).Add(lo).MoveToOuterScope();
    }

    /// <summary>A float64 tensor from values.</summary>
    public static Tensor Of(double[] values, params long[] shape) => Tensor.FromArray(values, shape);

    /// <summary>An int64 tensor from values.</summary>
    public static Tensor Longs(long[] values, params long[] shape) => Tensor.FromArray(values, shape);

    /// <summary>A bool tensor from values.</summary>
    public static Tensor Bools(bool[] values, params long[] shape) => Tensor.FromArray(values, shape);

    /// <summary>Host copy as float64 whatever the dtype.</summary>
    public static double[] Host(Tensor t)
    {
        using var scope = new TensorScope();
        return t.To(DType.Float64).ToArray<double>();
    }

    /// <summary>Asserts element-wise closeness with a readable message.</summary>
    public static void ShouldBeClose(this Tensor actual, Tensor expected, double tolerance = 1e-10)
    {
        actual.Shape.Should().Equal(expected.Shape);
        ShouldBeClose(Host(actual), Host(expected), tolerance);
    }

    /// <summary>Asserts element-wise closeness with a readable message.</summary>
    public static void ShouldBeClose(this Tensor actual, double[] expected, double tolerance = 1e-10, string because = "") =>
        ShouldBeClose(Host(actual), expected, tolerance, because);

    /// <summary>Asserts element-wise closeness with a readable message.</summary>
    public static void ShouldBeClose(double[] actual, double[] expected, double tolerance, string because = "")
    {
        actual.Should().HaveCount(expected.Length, because);
        for (int i = 0; i < actual.Length; i++)
        {
            actual[i].Should().BeApproximately(expected[i], tolerance, "element {0} of [{1}] should be close to [{2}] {3}",
                i, string.Join(", ", actual), string.Join(", ", expected), because);
        }
    }
}
