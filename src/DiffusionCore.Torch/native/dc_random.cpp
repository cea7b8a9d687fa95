// Generators and random ops. Every draw takes an explicit generator; the same seed gives the same bits.
#include "dc_common.h"

#include <ATen/CPUGeneratorImpl.h>
#if defined(DC_WITH_CUDA)
#include <ATen/cuda/CUDAGeneratorImpl.h>
#endif

using dc::T;

namespace dc {
at::Generator& G(dc_generator g) {
  if (g == nullptr) throw std::invalid_argument("null generator handle");
  return *static_cast<at::Generator*>(g);
}
}  // namespace dc

namespace {
// Draw on the generator's device, then move to the requested one: a CPU generator gives the same bits whatever the
// target device, which keeps seeds portable between CPU and CUDA runs.
at::TensorOptions gen_options(at::Generator& g, int dtype) {
  return at::TensorOptions().dtype(dc::scalar_type(dtype)).device(g.device());
}
at::Tensor to_target(at::Tensor t, int dev_type, int dev_index) {
  auto target = dc::device(dev_type, dev_index);
  return t.device() == target ? t : t.to(target);
}
}  // namespace

extern "C" {

int dc_generator_new(uint64_t seed, int dev_type, int dev_index, dc_generator* out) {
  DC_TRY
  auto dev = dc::device(dev_type, dev_index);
  at::Generator g;
  if (dev.is_cpu()) {
    g = at::make_generator<at::CPUGeneratorImpl>(seed);
  } else {
#if defined(DC_WITH_CUDA)
    g = at::make_generator<at::CUDAGeneratorImpl>(dev.index());
    g.set_current_seed(seed);
#else
    throw c10::NotImplementedError({__func__, __FILE__, __LINE__},
        "CUDA generators need the shim built against a CUDA libtorch (set LIBTORCH and rebuild)");
#endif
  }
  *out = new at::Generator(std::move(g));
  DC_CATCH
}

void dc_generator_free(dc_generator g) { delete static_cast<at::Generator*>(g); }

int dc_generator_seed(dc_generator g, uint64_t seed) {
  DC_TRY
  auto& gen = dc::G(g);
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_current_seed(seed);
  DC_CATCH
}

int dc_generator_initial_seed(dc_generator g, uint64_t* out) { DC_TRY *out = dc::G(g).current_seed(); DC_CATCH }

int dc_generator_get_state(dc_generator g, dc_tensor* out) {
  DC_TRY
  auto& gen = dc::G(g);
  std::lock_guard<std::mutex> lock(gen.mutex());
  DC_OUT(gen.get_state());
  DC_CATCH
}

int dc_generator_set_state(dc_generator g, dc_tensor state) {
  DC_TRY
  auto& gen = dc::G(g);
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(T(state));
  DC_CATCH
}

int dc_random_new(int kind, const int64_t* shape, int ndim, double a, double b, dc_generator g, int dtype, int dev_type,
                  int dev_index, dc_tensor* out) {
  DC_TRY
  auto& gen = dc::G(g);
  auto s = dc::ints(shape, ndim);
  if (dev_type == 14) {  // meta tensors hold no data: nothing to draw, and nothing may be allocated
    DC_OUT(at::empty(s, at::TensorOptions().dtype(dc::scalar_type(dtype)).device(c10::kMeta)));
    return DC_OK;
  }
  auto opts = gen_options(gen, dtype);
  at::Tensor t;
  switch (kind) {
    case 0: t = at::empty(s, opts).normal_(a, b, gen); break;
    case 1: t = at::empty(s, opts).uniform_(a, b, gen); break;
    case 2: t = at::randint(static_cast<int64_t>(a), static_cast<int64_t>(b), s, gen, opts); break;
    default: throw c10::ValueError({__func__, __FILE__, __LINE__}, "unknown random kind");
  }
  DC_OUT(to_target(std::move(t), dev_type, dev_index));
  DC_CATCH
}

int dc_random_(int kind, dc_tensor t, double a, double b, dc_generator g) {
  DC_TRY
  auto& x = T(t);
  auto& gen = dc::G(g);
  if (x.is_meta()) return DC_OK;  // no data to fill; keeps shape-only (meta) module construction allocation-free
  if (x.device() == gen.device()) {
    switch (kind) {
      case 0: x.normal_(a, b, gen); break;
      case 1: x.uniform_(a, b, gen); break;
      case 2: x.bernoulli_(a, gen); break;
      default: throw c10::ValueError({__func__, __FILE__, __LINE__}, "unknown random kind");
    }
  } else {
    at::Tensor tmp = at::empty(x.sizes(), x.options().device(gen.device()));
    dc_tensor h = &tmp;
    int rc = dc_random_(kind, h, a, b, g);
    if (rc != DC_OK) return rc;
    x.copy_(tmp);
  }
  DC_CATCH
}

int dc_bernoulli(dc_tensor probs, dc_generator g, dc_tensor* out) {
  DC_TRY
  auto& gen = dc::G(g);
  auto& p = T(probs);
  at::Tensor r = at::bernoulli(p.device() == gen.device() ? p : p.to(gen.device()), gen);
  DC_OUT(r.device() == p.device() ? r : r.to(p.device()));
  DC_CATCH
}

int dc_randperm(int64_t n, dc_generator g, int dev_type, int dev_index, dc_tensor* out) {
  DC_TRY
  auto& gen = dc::G(g);
  DC_OUT(to_target(at::randperm(n, gen, at::TensorOptions().dtype(at::kLong).device(gen.device())), dev_type, dev_index));
  DC_CATCH
}

int dc_multinomial(dc_tensor probs, int64_t n, int replacement, dc_generator g, dc_tensor* out) {
  DC_TRY
  auto& gen = dc::G(g);
  auto& p = T(probs);
  at::Tensor r = at::multinomial(p.device() == gen.device() ? p : p.to(gen.device()), n, replacement != 0, gen);
  DC_OUT(r.device() == p.device() ? r : r.to(p.device()));
  DC_CATCH
}

}  // extern "C"
