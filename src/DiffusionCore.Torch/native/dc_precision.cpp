// Reduced-precision matrix products (bfloat16/float16 compute, float32 in and out), the CPU's native bfloat16
// capabilities, and the per-thread native-time profile.
#include "dc_common.h"

#include <ATen/Version.h>

#include <cstdlib>
#include <cstring>

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace dc {

namespace {
thread_local int t_matmul_dtype = -1;  // -1: off; otherwise a dc dtype code (bfloat16 or float16)
}  // namespace

std::atomic<bool> g_profile_enabled{false};
thread_local ProfileCounters t_profile{};

bool reduced_precision_active(at::ScalarType& st) {
  if (C10_LIKELY(t_matmul_dtype < 0)) return false;
  st = scalar_type(t_matmul_dtype);
  return true;
}

at::Tensor lowp_in(const at::Tensor& t, at::ScalarType st) {
  return t.scalar_type() == at::kFloat ? t.to(st) : t;
}

c10::optional<at::Tensor> lowp_in(const c10::optional<at::Tensor>& t, at::ScalarType st) {
  if (!t.has_value()) return t;
  return lowp_in(*t, st);
}

bool lowp_eligible(const at::Tensor& a, const at::Tensor& b) {
  return a.scalar_type() == at::kFloat && b.scalar_type() == at::kFloat;
}

}  // namespace dc

extern "C" {

int dc_set_matmul_precision(int dtype) {
  DC_TRY
  if (dtype >= 0) {
    auto st = dc::scalar_type(dtype);
    if (st != at::kBFloat16 && st != at::kHalf) {
      throw c10::ValueError({__func__, __FILE__, __LINE__}, "reduced matmul precision must be bfloat16 or float16");
    }
  }
  dc::t_matmul_dtype = dtype < 0 ? -1 : dtype;
  DC_CATCH
}

int dc_get_matmul_precision(int* out) {
  DC_TRY
  if (out == nullptr) throw std::invalid_argument("null output pointer");
  *out = dc::t_matmul_dtype;
  DC_CATCH
}

// Bit 0: AVX512-BF16 (vdpbf16ps), bit 1: AMX-BF16 tiles, bit 2: AVX512F, bit 3: the OS saves AMX tile state (XCR0
// bits 17 and 18). Read with CPUID leaf 7 (Intel SDM vol. 2A, CPUID); 0 on non-x86 machines.
int dc_cpu_capabilities(int* out) {
  DC_TRY
  if (out == nullptr) throw std::invalid_argument("null output pointer");
  int flags = 0;
#if defined(__x86_64__) || defined(__i386__)
  unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
  unsigned int max_leaf = __get_cpuid_max(0, nullptr);
  if (max_leaf >= 7) {
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    unsigned int max_sub = eax;
    bool osxsave = false;
    {
      unsigned int a1 = 0, b1 = 0, c1 = 0, d1 = 0;
      __cpuid(1, a1, b1, c1, d1);
      osxsave = (c1 & (1u << 27)) != 0;
    }
    if (ebx & (1u << 16)) flags |= 4;   // AVX512F
    if (edx & (1u << 22)) flags |= 2;   // AMX-BF16
    if (max_sub >= 1) {
      unsigned int a = 0, b = 0, c = 0, d = 0;
      __cpuid_count(7, 1, a, b, c, d);
      if (a & (1u << 5)) flags |= 1;    // AVX512_BF16
    }
    if (osxsave) {
      unsigned int lo = 0, hi = 0;
      __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
      if ((lo & (3u << 17)) == (3u << 17)) flags |= 8;
      // ATen's AVX512 kernels are built with -mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma (and use AVX2 too): all
      // of them, and the OS saving the SSE, AVX, opmask and ZMM state (XCR0 bits 1, 2, 5, 6, 7).
      unsigned int a1 = 0, b1 = 0, c1 = 0, d1 = 0;
      __cpuid(1, a1, b1, c1, d1);
      bool fma = (c1 & (1u << 12)) != 0;
      bool avx512 = (ebx & (1u << 5)) && (ebx & (1u << 16)) && (ebx & (1u << 17)) && (ebx & (1u << 30)) && (ebx & (1u << 31));
      if (fma && avx512 && (lo & 0xE6u) == 0xE6u) flags |= 16;
    }
  }
#endif
  *out = flags;
  DC_CATCH
}

int dc_select_cpu_kernels(const char* capability, int* applied) {
  DC_TRY
  if (applied == nullptr || capability == nullptr) throw std::invalid_argument("null argument");
  // libtorch reads ATEN_CPU_CAPABILITY once, at its first dispatched kernel, and does not check the CPU: the caller
  // checks (flag 16 of dc_cpu_capabilities) and calls this before any tensor op. A value already set is kept.
  const char* current = std::getenv("ATEN_CPU_CAPABILITY");
  *applied = (current == nullptr || *current == '\0') && setenv("ATEN_CPU_CAPABILITY", capability, 1) == 0 ? 1 : 0;
  DC_CATCH
}

int dc_cpu_kernel_capability(char* buffer, int capacity, int* needed) {
  DC_TRY
  if (needed == nullptr) throw std::invalid_argument("null output pointer");
  // get_cpu_capability() is not exported by libtorch 1.13; show_config() prints it ("CPU capability usage: AVX2").
  std::string config = at::show_config();
  const std::string key = "CPU capability usage: ";
  std::string value;
  size_t at_key = config.find(key);
  if (at_key != std::string::npos) {
    size_t start = at_key + key.size();
    size_t end = config.find_first_of("\r\n", start);
    value = config.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }
  *needed = static_cast<int>(value.size());
  if (buffer != nullptr && capacity >= static_cast<int>(value.size())) std::memcpy(buffer, value.data(), value.size());
  DC_CATCH
}

// Neither profile call is timed itself (no DC_TRY: nothing in them can throw).
int dc_profile_enable(int enabled) {
  dc::g_profile_enabled.store(enabled != 0, std::memory_order_relaxed);
  return DC_OK;
}

int dc_profile_read(int reset, int64_t* native_ns, int64_t* calls) {
  if (native_ns == nullptr || calls == nullptr) return dc::set_error(DC_ERR_NULL_ARGUMENT, "null output pointer");
  *native_ns = dc::t_profile.native_ns;
  *calls = dc::t_profile.calls;
  if (reset) dc::t_profile = dc::ProfileCounters{};
  return DC_OK;
}

}  // extern "C"
