// Optimizer steps over whole parameter lists: one native call per step, the update math of torch.optim
// (Adam/AdamW: Kingma & Ba 2015, Alg. 1; Loshchilov & Hutter 2019 for decoupled decay; SGD with momentum).
#include "dc_common.h"

#include <c10/core/GradMode.h>

#include <cmath>

using dc::T;

extern "C" {

int dc_adam_step(const dc_tensor* params, const dc_tensor* exp_avg, const dc_tensor* exp_avg_sq, int n, double lr,
                 double beta1, double beta2, double eps, double weight_decay, int decoupled, int64_t step) {
  DC_TRY
  at::NoGradGuard no_grad;
  const double bc1 = 1.0 - std::pow(beta1, static_cast<double>(step));
  const double bc2 = 1.0 - std::pow(beta2, static_cast<double>(step));
  const double step_size = lr / bc1;
  const double bc2_sqrt = std::sqrt(bc2);
  for (int i = 0; i < n; ++i) {
    at::Tensor& p = T(params[i]);
    at::Tensor g = p.grad();
    if (!g.defined()) continue;
    if (weight_decay != 0.0) {
      if (decoupled) p.mul_(1.0 - lr * weight_decay);
      else g = g.add(p, weight_decay);
    }
    at::Tensor& m = T(exp_avg[i]);
    at::Tensor& v = T(exp_avg_sq[i]);
    m.lerp_(g, 1.0 - beta1);
    v.mul_(beta2).addcmul_(g, g.conj(), 1.0 - beta2);
    at::Tensor denom = (v.sqrt() / bc2_sqrt).add_(eps);
    p.addcdiv_(m, denom, -step_size);
  }
  DC_CATCH
}

int dc_sgd_step(const dc_tensor* params, const dc_tensor* momentum_buf, int n, double lr, double momentum, double dampening,
                double weight_decay, int nesterov, int first_step) {
  DC_TRY
  at::NoGradGuard no_grad;
  for (int i = 0; i < n; ++i) {
    at::Tensor& p = T(params[i]);
    at::Tensor g = p.grad();
    if (!g.defined()) continue;
    if (weight_decay != 0.0) g = g.add(p, weight_decay);
    if (momentum != 0.0) {
      at::Tensor& buf = T(momentum_buf[i]);
      if (first_step) buf.copy_(g);
      else buf.mul_(momentum).add_(g, 1.0 - dampening);
      g = nesterov ? g.add(buf, momentum) : buf;
    }
    p.add_(g, -lr);
  }
  DC_CATCH
}

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
