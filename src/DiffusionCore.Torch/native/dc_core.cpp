// Library-level functions, errors, tensor lifecycle, queries, host copies and creation.
#include "dc_common.h"

#include <algorithm>
#include <cstdint>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <ATen/Parallel.h>
#include <c10/util/Logging.h>
#include <torch/csrc/api/include/torch/version.h>

#include <cstring>

namespace dc {

std::atomic<int64_t> g_live_tensors{0};
std::atomic<int> g_num_threads_generation{0};

namespace {
thread_local std::string t_error;
std::atomic<int> g_num_threads{0};  // 0: never set through the shim, keep libtorch's default

bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

// Every c10::Error captures and symbolises a C++ backtrace in its constructor (milliseconds per error), which set_error then throws away: the managed side only ever sees what_without_backtrace(). A no-op
// fetcher makes a failed call cost microseconds instead; messages are unchanged.
const bool g_cheap_c10_errors = [] {
  c10::SetStackTraceFetcher([] { return std::string(); });
  return true;
}();
}  // namespace

void apply_num_threads_setting() {
  int n = g_num_threads.load(std::memory_order_relaxed);
  if (n > 0 && at::get_num_threads() != n) at::set_num_threads(n);
}

int set_error(int kind, const char* message) {
  t_error = message != nullptr ? message : "";
  // Drop anything after a C++ backtrace marker, keep the human part only.
  auto pos = t_error.find("\nException raised from");
  if (pos != std::string::npos) t_error.resize(pos);
  return kind;
}

int classify_c10(const std::string& m) {
  if (contains(m, "out of memory") || contains(m, "DefaultCPUAllocator: can't allocate")) return DC_ERR_OUT_OF_MEMORY;
  if (contains(m, "not implemented for") || contains(m, "Could not run")) return DC_ERR_NOT_IMPLEMENTED;
  if (contains(m, "scalar type") || contains(m, "dtype") || contains(m, "Scalar type") ||
      contains(m, "expected both inputs to have same") || contains(m, "result type") ||
      contains(m, "bool tensor") || contains(m, "Input type ("))
    return DC_ERR_TYPE;
  // Index checks that libtorch 1.13 raises as plain c10::Error (e.g. gather/scatter: "index 7 is out of bounds for
  // dimension 0 with size 3") must not fall through to the shape rule below just because they mention a size.
  if (contains(m, "out of bounds") || contains(m, "out of range")) return DC_ERR_INDEX;
  if (contains(m, "size") || contains(m, "shape") || contains(m, "dimension") || contains(m, "channels") ||
      contains(m, "cannot be multiplied") || contains(m, "same number of"))
    return DC_ERR_SHAPE;
  return DC_ERR_VALUE;
}

int classify_std(const std::string& m) {
  // libtorch 1.13 still throws std::runtime_error in a few places (e.g. infer_size: "shape '[5]' is invalid for input
  // of size 6"); give those the same kind a c10::Error with that message would get, else stay generic.
  int kind = classify_c10(m);
  return kind == DC_ERR_VALUE ? DC_ERR_GENERIC : kind;
}

at::ScalarType scalar_type(int code) {
  switch (code) {
    case 0: return at::kByte;
    case 1: return at::kChar;
    case 2: return at::kShort;
    case 3: return at::kInt;
    case 4: return at::kLong;
    case 5: return at::kHalf;
    case 6: return at::kFloat;
    case 7: return at::kDouble;
    case 11: return at::kBool;
    case 15: return at::kBFloat16;
    default: throw c10::TypeError({__func__, __FILE__, __LINE__}, "unsupported dtype code " + std::to_string(code));
  }
}

c10::Device device(int type, int index) {
  switch (type) {
    case 0: return c10::Device(c10::kCPU);
    case 1: {
      // Without this check a CPU-only libtorch answers a CUDA request with a 2 kB dispatcher dump
      // ("Could not run 'aten::empty.memory_format' with arguments from the 'CUDA' backend ...").
      int i = index < 0 ? 0 : index;
      if (!at::hasCUDA())
        throw c10::NotImplementedError({__func__, __FILE__, __LINE__},
            "Device cuda:" + std::to_string(i) + " was requested, but the linked libtorch " TORCH_VERSION
            " has no CUDA support or sees no GPU (Torch.IsCudaAvailable is false). Use Device.Cpu, or build the shim "
            "against a CUDA libtorch (LIBTORCH=<dir>, then dotnet build).");
      int n = static_cast<int>(at::detail::getCUDAHooks().getNumGPUs());
      if (i >= n)
        throw c10::IndexError({__func__, __FILE__, __LINE__},
            "Device cuda:" + std::to_string(i) + " was requested, but only " + std::to_string(n) + " CUDA device(s) are visible.");
      return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(i));
    }
    case 14: return c10::Device(c10::kMeta);
    default: throw c10::ValueError({__func__, __FILE__, __LINE__}, "unsupported device type " + std::to_string(type));
  }
}

at::MemoryFormat memory_format(int code) {
  switch (code) {
    case 0: return at::MemoryFormat::Contiguous;
    case 1: return at::MemoryFormat::ChannelsLast;
    case 2: return at::MemoryFormat::Preserve;
    default: throw c10::ValueError({__func__, __FILE__, __LINE__}, "unsupported memory format " + std::to_string(code));
  }
}

}  // namespace dc

using dc::T;

extern "C" {

int dc_abi_version(void) { return DC_ABI_VERSION; }
const char* dc_torch_version(void) { return TORCH_VERSION; }
int dc_cuda_available(void) {
  try { return at::hasCUDA() ? 1 : 0; } catch (...) { return 0; }
}
int dc_cuda_device_count(void) {
  try { return at::hasCUDA() ? static_cast<int>(at::detail::getCUDAHooks().getNumGPUs()) : 0; } catch (...) { return 0; }
}
const char* dc_last_error_message(void) { return dc::t_error.c_str(); }
int64_t dc_live_tensors(void) { return dc::g_live_tensors.load(std::memory_order_relaxed); }

// glibc malloc returns large freed blocks to the kernel (munmap above M_MMAP_THRESHOLD, heap trimming above
// M_TRIM_THRESHOLD), so a loop that frees and reallocates activations page-faults and zeroes them again every step.
// Keeping freed memory in the process (reused by the next allocation of the step) costs no extra peak memory.
// Returns 1 in *applied when both settings were taken, 0 where the C library is not glibc.
int dc_tune_allocator(int64_t mmap_threshold, int64_t trim_threshold, int* applied) {
  DC_TRY
  if (applied == nullptr) throw std::invalid_argument("null output pointer");
  *applied = 0;
#if defined(__GLIBC__)
  auto clamp = [](int64_t v) { return static_cast<int>(std::min<int64_t>(std::max<int64_t>(v, 0), INT32_MAX)); };
  *applied = (mallopt(M_MMAP_THRESHOLD, clamp(mmap_threshold)) == 1 && mallopt(M_TRIM_THRESHOLD, clamp(trim_threshold)) == 1) ? 1 : 0;
#endif
  DC_CATCH
}

int dc_set_num_threads(int n) {
  DC_TRY
  if (n < 1) throw c10::ValueError({__func__, __FILE__, __LINE__}, "thread count must be >= 1, got " + std::to_string(n));
  dc::g_num_threads.store(n, std::memory_order_relaxed);
  at::set_num_threads(n);
  dc::g_num_threads_generation.fetch_add(1, std::memory_order_release);
  DC_CATCH
}
int dc_get_num_threads(int* out) {
  DC_TRY *out = at::get_num_threads(); DC_CATCH
}

void dc_tensor_free(dc_tensor t) {
  if (t == nullptr) return;
  dc::CallTimer timer;  // freeing an activation returns its memory: native time for the profile
  delete static_cast<at::Tensor*>(t);
  dc::g_live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

int dc_tensor_ndim(dc_tensor t, int* out) { DC_TRY *out = static_cast<int>(T(t).dim()); DC_CATCH }

int dc_tensor_sizes(dc_tensor t, int64_t* buf, int cap) {
  DC_TRY
  auto s = T(t).sizes();
  if (static_cast<int>(s.size()) > cap) throw c10::ValueError({__func__, __FILE__, __LINE__}, "shape buffer too small");
  std::copy(s.begin(), s.end(), buf);
  DC_CATCH
}

int dc_tensor_strides(dc_tensor t, int64_t* buf, int cap) {
  DC_TRY
  auto s = T(t).strides();
  if (static_cast<int>(s.size()) > cap) throw c10::ValueError({__func__, __FILE__, __LINE__}, "stride buffer too small");
  std::copy(s.begin(), s.end(), buf);
  DC_CATCH
}

int dc_tensor_dtype(dc_tensor t, int* out) { DC_TRY *out = static_cast<int>(T(t).scalar_type()); DC_CATCH }

int dc_tensor_device(dc_tensor t, int* type, int* index) {
  DC_TRY
  auto d = T(t).device();
  *type = static_cast<int>(d.type());
  *index = d.has_index() ? d.index() : -1;
  DC_CATCH
}

int dc_tensor_numel(dc_tensor t, int64_t* out) { DC_TRY *out = T(t).numel(); DC_CATCH }

int dc_tensor_is_contiguous(dc_tensor t, int mf, int* out) {
  DC_TRY *out = T(t).is_contiguous(dc::memory_format(mf)) ? 1 : 0; DC_CATCH
}


int dc_tensor_item_double(dc_tensor t, double* out) { DC_TRY *out = T(t).item<double>(); DC_CATCH }
int dc_tensor_item_int64(dc_tensor t, int64_t* out) { DC_TRY *out = T(t).item<int64_t>(); DC_CATCH }

int dc_tensor_to_host(dc_tensor t, void* dst, int64_t nbytes) {
  DC_TRY
  at::Tensor c = T(t).detach().to(at::kCPU).contiguous();
  int64_t have = c.numel() * static_cast<int64_t>(c.element_size());
  if (have != nbytes)
    throw c10::ValueError({__func__, __FILE__, __LINE__},
                          "destination holds " + std::to_string(nbytes) + " bytes but the tensor has " + std::to_string(have));
  if (have > 0) std::memcpy(dst, c.data_ptr(), static_cast<size_t>(have));
  DC_CATCH
}

int dc_tensor_from_host(const void* src, int64_t nbytes, const int64_t* shape, int ndim, int dtype, dc_tensor* out) {
  DC_TRY
  auto st = dc::scalar_type(dtype);
  at::Tensor t = at::empty(dc::ints(shape, ndim), at::TensorOptions().dtype(st));
  int64_t need = t.numel() * static_cast<int64_t>(t.element_size());
  if (need != nbytes)
    throw c10::ValueError({__func__, __FILE__, __LINE__},
                          "shape needs " + std::to_string(need) + " bytes but " + std::to_string(nbytes) + " were given");
  if (need > 0) std::memcpy(t.data_ptr(), src, static_cast<size_t>(need));
  DC_OUT(std::move(t));
  DC_CATCH
}

int dc_tensor_shallow_clone(dc_tensor t, dc_tensor* out) { DC_TRY DC_OUT(T(t)); DC_CATCH }

int dc_tensor_data_ptr(dc_tensor t, void** out) {
  DC_TRY
  const at::Tensor& x = T(t);
  if (!x.device().is_cpu() || !x.is_contiguous())
    throw c10::ValueError({__func__, __FILE__, __LINE__}, "the data pointer is only given for contiguous CPU tensors");
  *out = x.data_ptr();
  DC_CATCH
}

int dc_fill_new(int kind, const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index, dc_tensor* out) {
  DC_TRY
  auto opts = at::TensorOptions().dtype(dc::scalar_type(dtype)).device(dc::device(dev_type, dev_index));
  auto s = dc::ints(shape, ndim);
  switch (kind) {
    case 0: DC_OUT(at::zeros(s, opts)); break;
    case 1: DC_OUT(at::ones(s, opts)); break;
    case 2: DC_OUT(at::empty(s, opts)); break;
    default: throw c10::ValueError({__func__, __FILE__, __LINE__}, "bad fill kind");
  }
  DC_CATCH
}

int dc_full(const int64_t* shape, int ndim, double value, int dtype, int dev_type, int dev_index, dc_tensor* out) {
  DC_TRY
  auto opts = at::TensorOptions().dtype(dc::scalar_type(dtype)).device(dc::device(dev_type, dev_index));
  DC_OUT(at::full(dc::ints(shape, ndim), value, opts));
  DC_CATCH
}

int dc_arange(double start, double end, double step, int dtype, int dev_type, int dev_index, dc_tensor* out) {
  DC_TRY
  auto opts = at::TensorOptions().dtype(dc::scalar_type(dtype)).device(dc::device(dev_type, dev_index));
  DC_OUT(at::arange(start, end, step, opts));
  DC_CATCH
}

int dc_linspace(double start, double end, int64_t steps, int dtype, int dev_type, int dev_index, dc_tensor* out) {
  DC_TRY
  auto opts = at::TensorOptions().dtype(dc::scalar_type(dtype)).device(dc::device(dev_type, dev_index));
  DC_OUT(at::linspace(start, end, steps, opts));
  DC_CATCH
}

int dc_eye(int64_t n, int dtype, int dev_type, int dev_index, dc_tensor* out) {
  DC_TRY
  auto opts = at::TensorOptions().dtype(dc::scalar_type(dtype)).device(dc::device(dev_type, dev_index));
  DC_OUT(at::eye(n, opts));
  DC_CATCH
}

int dc_fill_like(int kind, dc_tensor t, dc_tensor* out) {
  DC_TRY
  switch (kind) {
    case 0: DC_OUT(at::zeros_like(T(t))); break;
    case 1: DC_OUT(at::ones_like(T(t))); break;
    case 2: DC_OUT(at::empty_like(T(t))); break;
    default: throw c10::ValueError({__func__, __FILE__, __LINE__}, "bad fill kind");
  }
  DC_CATCH
}

int dc_to(dc_tensor t, int dtype, int dev_type, int dev_index, int copy, dc_tensor* out) {
  DC_TRY
  auto& x = T(t);
  auto st = dtype < 0 ? x.scalar_type() : dc::scalar_type(dtype);
  auto dev = dev_type < 0 ? x.device() : dc::device(dev_type, dev_index);
  DC_OUT(x.to(dev, st, /*non_blocking=*/false, copy != 0));
  DC_CATCH
}

int dc_contiguous(dc_tensor t, int mf, dc_tensor* out) {
  DC_TRY DC_OUT(T(t).contiguous(dc::memory_format(mf))); DC_CATCH
}

}  // extern "C"
