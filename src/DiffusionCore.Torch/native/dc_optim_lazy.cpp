// Optimizer steps with PyTorch's per-parameter state semantics (torch.optim, single-tensor path):
//  * state is created lazily, the first time a parameter has a gradient (zeros for Adam's moments, a clone of the
//    gradient for SGD's momentum buffer);
//  * every parameter keeps its own step count, advanced only on steps where it has a gradient, so bias correction
//    is exact for parameters that receive gradients intermittently (frozen parts, unused embeddings, added groups).
// New state handles are written into the caller's arrays as soon as they exist (even if a later parameter fails);
// the caller owns them. Adam/AdamW: Kingma & Ba 2015, Algorithm 1; AMSGrad: Reddi et al. 2018; decoupled weight decay:
// Loshchilov & Hutter 2019, Algorithm 2. SGD: torch.optim.SGD (momentum, dampening, Nesterov: Sutskever et al. 2013).
#include "dc_common.h"

#include <c10/core/GradMode.h>

#include <cmath>

using dc::T;

namespace {

at::Tensor& lazy_zeros(dc_tensor* slot, const at::Tensor& like) {
  if (*slot == nullptr) *slot = dc::wrap(at::zeros_like(like, at::MemoryFormat::Preserve));
  return T(*slot);
}

}  // namespace

extern "C" {

int dc_adam_step_lazy(const dc_tensor* params, dc_tensor* exp_avg, dc_tensor* exp_avg_sq, dc_tensor* max_exp_avg_sq,
                      int64_t* steps, int n, double lr, double beta1, double beta2, double eps, double weight_decay,
                      int decoupled, int amsgrad, int maximize) {
  DC_TRY
  at::NoGradGuard no_grad;
  for (int i = 0; i < n; ++i) {
    at::Tensor& p = T(params[i]);
    at::Tensor g = p.grad();
    if (!g.defined()) continue;
    TORCH_CHECK(!g.is_sparse(), "Adam does not support sparse gradients");
    at::Tensor& m = lazy_zeros(&exp_avg[i], p);
    at::Tensor& v = lazy_zeros(&exp_avg_sq[i], p);
    if (maximize) g = g.neg();
    const int64_t step = ++steps[i];
    if (weight_decay != 0.0) {
      if (decoupled) p.mul_(1.0 - lr * weight_decay);
      else g = g.add(p, weight_decay);
    }
    m.lerp_(g, 1.0 - beta1);
    v.mul_(beta2).addcmul_(g, g.conj(), 1.0 - beta2);
    const double bc1 = 1.0 - std::pow(beta1, static_cast<double>(step));
    const double bc2_sqrt = std::sqrt(1.0 - std::pow(beta2, static_cast<double>(step)));
    at::Tensor denom;
    if (amsgrad) {
      at::Tensor& vmax = lazy_zeros(&max_exp_avg_sq[i], p);
      at::maximum_out(vmax, vmax, v);
      denom = (vmax.sqrt() / bc2_sqrt).add_(eps);
    } else {
      denom = (v.sqrt() / bc2_sqrt).add_(eps);
    }
    p.addcdiv_(m, denom, -lr / bc1);
  }
  DC_CATCH
}

int dc_sgd_step_lazy(const dc_tensor* params, dc_tensor* momentum_buf, int n, double lr, double momentum,
                     double dampening, double weight_decay, int nesterov, int maximize) {
  DC_TRY
  at::NoGradGuard no_grad;
  for (int i = 0; i < n; ++i) {
    at::Tensor& p = T(params[i]);
    at::Tensor g = p.grad();
    if (!g.defined()) continue;
    if (maximize) g = g.neg();
    if (weight_decay != 0.0) g = g.add(p, weight_decay);
    if (momentum != 0.0) {
      if (momentum_buf[i] == nullptr) {
        momentum_buf[i] = dc::wrap(g.clone().detach());
      } else {
        T(momentum_buf[i]).mul_(momentum).add_(g, 1.0 - dampening);
      }
      at::Tensor& buf = T(momentum_buf[i]);
      g = nesterov ? g.add(buf, momentum) : buf;
    }
    p.add_(g, -lr);
  }
  DC_CATCH
}

}  // extern "C"
