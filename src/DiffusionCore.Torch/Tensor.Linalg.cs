using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

public sealed partial class Tensor
{
    /// <summary>
    /// Eigendecomposition of symmetric (Hermitian) matrices (torch.linalg.eigh): A = V·diag(λ)·Vᵀ with the eigenvalues
    /// λ in ascending order and orthonormal eigenvectors as the columns of V. Works on a single [n, n] matrix or a batch
    /// [..., n, n]; only one triangle is read, so the input is taken as symmetric whatever the other triangle holds.
    /// Differentiable (for distinct eigenvalues). Use float64 for ill-conditioned matrices such as feature
    /// covariances.
    /// </summary>
    /// <param name="upper">Read the upper triangle instead of the lower one (torch's <c>UPLO="U"</c>).</param>
    /// <returns>The eigenvalues [..., n] and the eigenvectors [..., n, n] (column k belongs to eigenvalue k).</returns>
    /// <exception cref="TorchShapeException">The input is not a (batch of) square matrix.</exception>
    /// <exception cref="TorchException">The decomposition did not converge (kind <see cref="TorchErrorKind.LinearAlgebra"/>).</exception>
    public (Tensor Values, Tensor Vectors) EigenSymmetric(bool upper = false)
    {
        if (Dim < 2)
        {
            throw new TorchShapeException(
                $"EigenSymmetric needs a square matrix or a batch of them [..., n, n]; got shape [{string.Join(", ", Shape)}].");
        }

        int rc = NativeMethods.dc_linalg_eigh(Handle, upper ? 1 : 0, out TensorHandle values, out TensorHandle vectors);
        if (rc != NativeStatus.Ok)
        {
            values.Dispose();
            vectors.Dispose();
            throw NativeStatus.Create(rc);
        }

        return (new Tensor(values), new Tensor(vectors));
    }
}
