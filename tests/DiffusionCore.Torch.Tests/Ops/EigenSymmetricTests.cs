using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Ops;

/// <summary>Tensor.EigenSymmetric (torch.linalg.eigh) against closed forms; no gradients involved.</summary>
public class EigenSymmetricTests
{
    [Fact]
    public void Two_by_two_matrix_has_closed_form_eigenpairs()
    {
        using var scope = new TensorScope();
        // [[a, b], [b, a]] has eigenvalues a − b (vector (1, −1)/√2) and a + b (vector (1, 1)/√2).
        Tensor a = T64.Of([2, 1, 1, 2], 2, 2);
        (Tensor values, Tensor vectors) = a.EigenSymmetric();
        values.ShouldBeClose([1.0, 3.0], 1e-12);
        double s = 1 / Math.Sqrt(2);
        // Eigenvectors are defined up to sign: compare |V|, then the sign-free product V·diag(λ)·Vᵀ.
        vectors.Abs().ShouldBeClose([s, s, s, s], 1e-12);
        double[] v = T64.Host(vectors);
        (v[0] * v[1] + v[2] * v[3]).Should().BeApproximately(0, 1e-12, "the eigenvectors are orthogonal");
    }

    [Fact]
    public void Diagonal_matrix_gives_sorted_diagonal()
    {
        using var scope = new TensorScope();
        Tensor a = T64.Of([5, 0, 0, 0, -1, 0, 0, 0, 2], 3, 3);
        (Tensor values, Tensor vectors) = a.EigenSymmetric();
        values.ShouldBeClose([-1.0, 2.0, 5.0], 1e-12);
        vectors.Abs().ShouldBeClose([0, 0, 1, 1, 0, 0, 0, 1, 0], 1e-12);
    }

    [Fact]
    public void Random_symmetric_matrices_are_reconstructed_by_orthonormal_eigenvectors()
    {
        using var scope = new TensorScope();
        Tensor m = T64.Randn(901, 3, 6, 6);
        Tensor a = m + m.Transpose(-1, -2);
        (Tensor values, Tensor vectors) = a.EigenSymmetric();
        values.Shape.Should().Equal(3, 6);
        vectors.Shape.Should().Equal(3, 6, 6);
        Tensor rebuilt = vectors.MatMul(values.Unsqueeze(-1) * vectors.Transpose(-1, -2));
        rebuilt.ShouldBeClose(a, 1e-10);
        vectors.Transpose(-1, -2).MatMul(vectors).ShouldBeClose(Tensor.Eye(6, DType.Float64).Expand(3, 6, 6), 1e-12);
        double[] lambda = T64.Host(values);
        for (int b = 0; b < 3; b++)
        {
            lambda.Skip(b * 6).Take(6).Should().BeInAscendingOrder();
        }

        // Trace and determinant are the sum and product of the eigenvalues.
        Tensor trace = (a * Tensor.Eye(6, DType.Float64)).Sum([-1, -2]);
        values.Sum([-1]).ShouldBeClose(trace, 1e-10);
    }

    [Fact]
    public void Only_the_selected_triangle_is_read()
    {
        using var scope = new TensorScope();
        // Lower triangle says [[2, 1], [1, 2]]; the upper one says [[2, 7], [7, 2]].
        Tensor a = T64.Of([2, 7, 1, 2], 2, 2);
        a.EigenSymmetric().Values.ShouldBeClose([1.0, 3.0], 1e-12);
        a.EigenSymmetric(upper: true).Values.ShouldBeClose([-5.0, 9.0], 1e-12);
    }

    [Fact]
    public void Rank_deficient_covariance_has_zero_eigenvalues_up_to_rounding()
    {
        using var scope = new TensorScope();
        // u·uᵀ with |u|² = 14: eigenvalues 0, 0, 14.
        Tensor u = T64.Of([1, 2, 3], 3, 1);
        Tensor values = u.MatMul(u.Transpose(0, 1)).EigenSymmetric().Values;
        values.ShouldBeClose([0.0, 0.0, 14.0], 1e-12);
    }

    [Fact]
    public void Non_square_input_is_rejected()
    {
        using var scope = new TensorScope();
        Action vector = () => T64.Of([1, 2, 3], 3).EigenSymmetric();
        vector.Should().Throw<TorchShapeException>().WithMessage("*square*");
        Action rectangular = () => T64.Of([1, 2, 3, 4, 5, 6], 2, 3).EigenSymmetric();
        rectangular.Should().Throw<TorchException>();
    }
}
