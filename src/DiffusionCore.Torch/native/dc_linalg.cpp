// Linear-algebra decompositions. Symmetric (Hermitian) eigendecomposition: torch.linalg.eigh, used for matrix square
// roots of covariance matrices (e.g. the trace term of the Fréchet distance, Heusel et al. 2017, eq. 6).
#include "dc_common.h"

using dc::T;

extern "C" {

// Eigenvalues (ascending) and orthonormal eigenvectors (as columns) of the symmetric matrices in a [..., n, n];
// only the lower (upper != 0: upper) triangle is read. Both outputs are written only on success.
int dc_linalg_eigh(dc_tensor a, int upper, dc_tensor* values, dc_tensor* vectors) {
  DC_TRY
  if (values == nullptr || vectors == nullptr) throw std::invalid_argument("null output handle");
  *values = nullptr;
  *vectors = nullptr;
  auto result = at::linalg_eigh(T(a), upper ? "U" : "L");
  dc_tensor v = dc::wrap(std::get<0>(result));
  try {
    *vectors = dc::wrap(std::get<1>(result));
  } catch (...) {
    dc_tensor_free(v);
    throw;
  }
  *values = v;
  DC_CATCH
}

}  // extern "C"
