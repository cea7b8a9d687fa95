// Internal helpers shared by the shim's translation units: error capture, handle wrapping, enum mapping.
#pragma once
#include "dc_shim.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <atomic>
#include <chrono>
#include <new>
#include <string>
#include <vector>

namespace dc {

extern std::atomic<int64_t> g_live_tensors;

int set_error(int kind, const char* message);
int classify_c10(const std::string& message);
int classify_std(const std::string& message);

inline at::Tensor& T(dc_tensor h) {
  if (h == nullptr) throw std::invalid_argument("null tensor handle");
  return *static_cast<at::Tensor*>(h);
}

inline c10::optional<at::Tensor> opt(dc_tensor h) {
  if (h == nullptr) return c10::nullopt;
  return *static_cast<at::Tensor*>(h);
}

inline dc_tensor wrap(at::Tensor t) {
  auto* p = new at::Tensor(std::move(t));
  g_live_tensors.fetch_add(1, std::memory_order_relaxed);
  return p;
}

at::ScalarType scalar_type(int code);
c10::Device device(int type, int index);
at::MemoryFormat memory_format(int code);

inline at::IntArrayRef ints(const int64_t* p, int n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }

inline std::vector<at::Tensor> tensors(const dc_tensor* ts, int n) {
  std::vector<at::Tensor> v;
  v.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v.push_back(T(ts[i]));
  return v;
}

at::Generator& G(dc_generator g);

// Torch.NumThreads is process-wide for callers, but libtorch's OpenMP backend keeps the intra-op thread count per OS
// thread (omp_set_num_threads sets the calling thread's ICV, applied once per thread on first use). dc_set_num_threads
// bumps this generation; every thread re-applies the setting on its next shim call after a change, so a .NET thread
// that already ran ops does not keep the old count. Cost on the hot path: one acquire load (a plain load on x86)
// and a compare.
extern std::atomic<int> g_num_threads_generation;
void apply_num_threads_setting();
inline void sync_num_threads() {
  static thread_local int seen = 0;
  int gen = g_num_threads_generation.load(std::memory_order_acquire);
  if (C10_UNLIKELY(seen != gen)) {
    seen = gen;
    apply_num_threads_setting();
  }
}

// Reduced-precision matrix products (dc_precision.cpp): when the calling thread has set a reduced matmul dtype,
// conv/linear/matmul/bmm/einsum/attention take float32 operands, compute in that dtype and return float32, so every
// other op (elementwise, normalisation, softmax, the loss) keeps running in float32.
bool reduced_precision_active(at::ScalarType& st);
at::Tensor lowp_in(const at::Tensor& t, at::ScalarType st);
c10::optional<at::Tensor> lowp_in(const c10::optional<at::Tensor>& t, at::ScalarType st);
bool lowp_eligible(const at::Tensor& a, const at::Tensor& b);

// op(a, b, bias) in the calling thread's reduced matmul precision when it is set and a and b are float32 (the result
// cast back to float32), else op on the operands as they are.
template <typename Op>
at::Tensor with_matmul_precision(const at::Tensor& a, const at::Tensor& b, const c10::optional<at::Tensor>& bias, Op&& op) {
  at::ScalarType st;
  if (reduced_precision_active(st) && lowp_eligible(a, b)) return op(a.to(st), b.to(st), lowp_in(bias, st)).to(at::kFloat);
  return op(a, b, bias);
}

// Per-thread time spent inside shim calls (libtorch dispatch, kernels, autograd), collected only while profiling is
// enabled; nested shim calls are counted once. Lets a caller split a step into native time and managed + interop time.
struct ProfileCounters {
  int64_t native_ns = 0;
  int64_t calls = 0;
  int depth = 0;
};
extern std::atomic<bool> g_profile_enabled;
extern thread_local ProfileCounters t_profile;

class CallTimer {
 public:
  CallTimer() {
    if (C10_UNLIKELY(g_profile_enabled.load(std::memory_order_relaxed))) {
      counted_ = true;
      if (t_profile.depth++ == 0) {
        active_ = true;
        start_ = std::chrono::steady_clock::now();
      }
    }
  }
  ~CallTimer() {
    if (C10_UNLIKELY(counted_)) {
      if (active_) {
        t_profile.native_ns +=
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count();
        t_profile.calls += 1;
      }
      t_profile.depth--;
    }
  }
  CallTimer(const CallTimer&) = delete;
  CallTimer& operator=(const CallTimer&) = delete;

 private:
  bool counted_ = false;
  bool active_ = false;
  std::chrono::steady_clock::time_point start_{};
};

}  // namespace dc

// Every exported body runs between DC_TRY and DC_CATCH: no exception escapes extern "C".
#define DC_TRY try { dc::CallTimer dc_call_timer_; dc::sync_num_threads();
#define DC_CATCH                                                                         \
  }                                                                                      \
  catch (const c10::OutOfMemoryError& e) {                                               \
    return dc::set_error(DC_ERR_OUT_OF_MEMORY, e.what_without_backtrace());              \
  }                                                                                      \
  catch (const c10::IndexError& e) {                                                     \
    return dc::set_error(DC_ERR_INDEX, e.what_without_backtrace());                      \
  }                                                                                      \
  catch (const c10::TypeError& e) {                                                      \
    return dc::set_error(DC_ERR_TYPE, e.what_without_backtrace());                       \
  }                                                                                      \
  catch (const c10::ValueError& e) {                                                     \
    return dc::set_error(DC_ERR_VALUE, e.what_without_backtrace());                      \
  }                                                                                      \
  catch (const c10::NotImplementedError& e) {                                            \
    return dc::set_error(DC_ERR_NOT_IMPLEMENTED, e.what_without_backtrace());            \
  }                                                                                      \
  catch (const c10::LinAlgError& e) {                                                    \
    return dc::set_error(DC_ERR_LINALG, e.what_without_backtrace());                     \
  }                                                                                      \
  catch (const c10::Error& e) {                                                          \
    return dc::set_error(dc::classify_c10(e.msg()), e.what_without_backtrace());         \
  }                                                                                      \
  catch (const std::bad_alloc& e) {                                                      \
    return dc::set_error(DC_ERR_OUT_OF_MEMORY, e.what());                                \
  }                                                                                      \
  catch (const std::invalid_argument& e) {                                               \
    return dc::set_error(DC_ERR_NULL_ARGUMENT, e.what());                                \
  }                                                                                      \
  catch (const std::exception& e) {                                                      \
    return dc::set_error(dc::classify_std(e.what()), e.what());                          \
  }                                                                                      \
  catch (...) {                                                                          \
    return dc::set_error(DC_ERR_GENERIC, "unknown native exception");                    \
  }                                                                                      \
  return DC_OK;

#define DC_OUT(expr) *out = dc::wrap(expr)
