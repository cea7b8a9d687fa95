using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Ops;

/// <summary>Finite-difference gradient checks of matrix products, Linear and Einsum.</summary>
public class LinearAlgebraGradTests
{
    [Theory]
    [InlineData(new long[] { 2, 3 }, new long[] { 3, 4 })]
    [InlineData(new long[] { 2, 2, 3 }, new long[] { 3, 2 })]
    [InlineData(new long[] { 3 }, new long[] { 3, 2 })]
    [InlineData(new long[] { 2, 3 }, new long[] { 3 })]
    [InlineData(new long[] { 2, 1, 2, 3 }, new long[] { 3, 3, 2 })]
    public void MatMul_gradient_including_broadcast_batches(long[] aShape, long[] bShape)
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => t[0].MatMul(t[1]), T64.Randn(71, aShape), T64.Randn(72, bShape));
    }

    [Fact]
    public void Bmm_gradient()
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => t[0].Bmm(t[1]), T64.Randn(73, 2, 3, 4), T64.Randn(74, 2, 4, 2));
    }

    [Fact]
    public void Linear_gradient_with_bias_on_3d_input()
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Functional.Linear(t[0], t[1], t[2]), T64.Randn(75, 2, 2, 3), T64.Randn(76, 4, 3), T64.Randn(77, 4));
    }

    [Fact]
    public void Linear_gradient_without_bias()
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Functional.Linear(t[0], t[1]), T64.Randn(78, 3, 3), T64.Randn(79, 2, 3));
    }

    [Theory]
    [InlineData("bij,bjk->bik", new long[] { 2, 2, 3 }, new long[] { 2, 3, 2 })]
    [InlineData("bhqd,bhkd->bhqk", new long[] { 1, 2, 3, 2 }, new long[] { 1, 2, 4, 2 })]
    [InlineData("i,i->", new long[] { 4 }, new long[] { 4 })]
    [InlineData("ij,kj->ikj", new long[] { 2, 3 }, new long[] { 2, 3 })]
    public void Einsum_gradient_two_operands(string equation, long[] aShape, long[] bShape)
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Tensor.Einsum(equation, t[0], t[1]), T64.Randn(80, aShape), T64.Randn(81, bShape));
    }

    [Fact]
    public void Einsum_gradient_single_operand_trace_and_transpose()
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Tensor.Einsum("ii->", t[0]) * Tensor.Einsum("ij->ji", t[0]), T64.Randn(82, 3, 3));
    }
}
