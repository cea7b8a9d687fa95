// Gradient utilities over whole parameter lists (one native call each). The optimizer steps are in dc_optim_lazy.cpp.
#include "dc_common.h"

#include <c10/core/GradMode.h>

#include <cmath>

using dc::T;

extern "C" {

int dc_grads_nan_to_num_(const dc_tensor* params, int n) {
  DC_TRY
  at::NoGradGuard no_grad;
  for (int i = 0; i < n; ++i) {
    at::Tensor g = T(params[i]).grad();
    if (g.defined()) g.nan_to_num_(0.0, 0.0, 0.0);
  }
  DC_CATCH
}

int dc_clip_grad_norm_(const dc_tensor* params, int n, double max_norm, double norm_type, double* total_norm) {
  DC_TRY
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> grads;
  for (int i = 0; i < n; ++i) {
    at::Tensor g = T(params[i]).grad();
    if (g.defined()) grads.push_back(g);
  }
  if (grads.empty()) { *total_norm = 0.0; return DC_OK; }
  // Norms in float32 at least (half/bfloat16 are upcast), in float64 when any gradient is float64, as PyTorch does.
  at::ScalarType acc = at::kFloat;
  for (auto& g : grads) if (g.scalar_type() == at::kDouble) acc = at::kDouble;
  std::vector<at::Tensor> norms;
  norms.reserve(grads.size());
  for (auto& g : grads) norms.push_back(at::norm(g.to(acc), norm_type));
  at::Tensor total = std::isinf(norm_type) ? at::stack(norms).max() : at::norm(at::stack(norms), norm_type);
  *total_norm = total.item<double>();
  at::Tensor coef = at::clamp(max_norm / (total + 1e-6), c10::nullopt, 1.0);
  for (auto& g : grads) g.mul_(coef.to(g.device(), g.scalar_type()));
  DC_CATCH
}

int dc_zero_grad(const dc_tensor* params, int n) {
  DC_TRY
  for (int i = 0; i < n; ++i) T(params[i]).mutable_grad() = at::Tensor();
  DC_CATCH
}

}  // extern "C"
