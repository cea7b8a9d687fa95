// Autograd, grad/inference modes and autocast scopes.
#include "dc_common.h"

#include <ATen/autocast_mode.h>
#include <c10/core/GradMode.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/autograd/autograd.h>

using dc::T;

namespace {
struct AutocastState {
  int dev_type;
  bool prev_enabled;
  at::ScalarType prev_dtype;
};
}  // namespace

extern "C" {

int dc_requires_grad(dc_tensor t, int* out) { DC_TRY *out = T(t).requires_grad() ? 1 : 0; DC_CATCH }
// requires_grad_ (not set_requires_grad): it refuses to turn gradients off on a non-leaf, as PyTorch does, instead
// of silently leaving requires_grad true because the tensor still has a grad_fn.
int dc_set_requires_grad(dc_tensor t, int value) { DC_TRY T(t).requires_grad_(value != 0); DC_CATCH }
int dc_is_leaf(dc_tensor t, int* out) { DC_TRY *out = T(t).is_leaf() ? 1 : 0; DC_CATCH }

int dc_backward(dc_tensor t, dc_tensor grad, int retain_graph, int create_graph) {
  DC_TRY
  at::Tensor g = grad != nullptr ? T(grad) : at::Tensor();
  c10::optional<bool> retain = retain_graph < 0 ? c10::nullopt : c10::optional<bool>(retain_graph != 0);
  T(t).backward(g, retain, create_graph != 0);
  DC_CATCH
}

int dc_grad(dc_tensor t, dc_tensor* out) {
  DC_TRY
  const at::Tensor& g = T(t).grad();
  *out = g.defined() ? dc::wrap(g) : nullptr;
  DC_CATCH
}

int dc_set_grad(dc_tensor t, dc_tensor grad) {
  DC_TRY
  T(t).mutable_grad() = grad != nullptr ? T(grad) : at::Tensor();
  DC_CATCH
}

int dc_detach(dc_tensor t, int inplace, dc_tensor* out) {
  DC_TRY
  if (inplace) T(t).detach_();
  else DC_OUT(T(t).detach());
  DC_CATCH
}

int dc_autograd_grad(const dc_tensor* outputs, int n_out, const dc_tensor* inputs, int n_in, const dc_tensor* grad_outputs,
                     int retain_graph, int create_graph, int allow_unused, dc_tensor* results) {
  DC_TRY
  auto outs = dc::tensors(outputs, n_out);
  auto ins = dc::tensors(inputs, n_in);
  std::vector<at::Tensor> gouts;
  if (grad_outputs != nullptr) {
    for (int i = 0; i < n_out; ++i) gouts.push_back(grad_outputs[i] != nullptr ? T(grad_outputs[i]) : at::Tensor());
  }
  c10::optional<bool> retain = retain_graph < 0 ? c10::nullopt : c10::optional<bool>(retain_graph != 0);
  auto grads = torch::autograd::grad(outs, ins, gouts, retain, create_graph != 0, allow_unused != 0);
  for (int i = 0; i < n_in; ++i) results[i] = grads[static_cast<size_t>(i)].defined() ? dc::wrap(grads[static_cast<size_t>(i)]) : nullptr;
  DC_CATCH
}

int dc_grad_mode_enabled(int* out) { DC_TRY *out = c10::GradMode::is_enabled() ? 1 : 0; DC_CATCH }
int dc_set_grad_mode(int enabled) { DC_TRY c10::GradMode::set_enabled(enabled != 0); DC_CATCH }

int dc_inference_mode_enter(void** guard) { DC_TRY *guard = new c10::InferenceMode(true); DC_CATCH }
int dc_inference_mode_exit(void* guard) { DC_TRY delete static_cast<c10::InferenceMode*>(guard); DC_CATCH }

int dc_autocast_enter(int dev_type, int dtype, int enabled, void** state) {
  DC_TRY
  auto st = dc::scalar_type(dtype);
  auto* s = new AutocastState{dev_type, false, at::kFloat};
  if (dev_type == 0) {
    s->prev_enabled = at::autocast::is_cpu_enabled();
    s->prev_dtype = at::autocast::get_autocast_cpu_dtype();
    at::autocast::set_cpu_enabled(enabled != 0);
    at::autocast::set_autocast_cpu_dtype(st);
  } else if (dev_type == 1) {
    s->prev_enabled = at::autocast::is_enabled();
    s->prev_dtype = at::autocast::get_autocast_gpu_dtype();
    at::autocast::set_enabled(enabled != 0);
    at::autocast::set_autocast_gpu_dtype(st);
  } else {
    delete s;
    throw c10::ValueError({__func__, __FILE__, __LINE__}, "autocast: unsupported device type");
  }
  at::autocast::increment_nesting();
  *state = s;
  DC_CATCH
}

int dc_autocast_exit(void* state) {
  DC_TRY
  auto* s = static_cast<AutocastState*>(state);
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  if (s->dev_type == 0) {
    at::autocast::set_cpu_enabled(s->prev_enabled);
    at::autocast::set_autocast_cpu_dtype(s->prev_dtype);
  } else {
    at::autocast::set_enabled(s->prev_enabled);
    at::autocast::set_autocast_gpu_dtype(s->prev_dtype);
  }
  delete s;
  DC_CATCH
}

}  // extern "C"
