// Counted CPU tensor memory: a c10::Allocator that wraps c10::alloc_cpu/free_cpu (what libtorch's default CPU
// allocator calls) and keeps the bytes currently held by CPU tensors and their high-water mark, like
// torch.cuda.memory_allocated / max_memory_allocated do for CUDA. Sizes are malloc_usable_size of each block (the
// bytes the C library reserved for it: the request rounded up to its chunk size), so the counts are exact without a
// size table and without locks.
#include "dc_common.h"

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace dc {

namespace {

std::atomic<int64_t> g_cpu_current{0};
std::atomic<int64_t> g_cpu_peak{0};
std::atomic<int64_t> g_cpu_allocations{0};

#if defined(__GLIBC__)
int64_t block_bytes(void* p) { return static_cast<int64_t>(malloc_usable_size(p)); }

void counted_free(void* p) {
  if (p == nullptr) return;
  g_cpu_current.fetch_sub(block_bytes(p), std::memory_order_relaxed);
  c10::free_cpu(p);
}

struct CountingCpuAllocator final : c10::Allocator {
  c10::DataPtr allocate(size_t nbytes) const override {
    void* p = c10::alloc_cpu(nbytes);  // nullptr for 0 bytes; throws c10::Error when the C library has no memory
    if (p != nullptr) {
      const int64_t bytes = block_bytes(p);
      const int64_t now = g_cpu_current.fetch_add(bytes, std::memory_order_relaxed) + bytes;
      int64_t peak = g_cpu_peak.load(std::memory_order_relaxed);
      while (now > peak && !g_cpu_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
      }
      g_cpu_allocations.fetch_add(1, std::memory_order_relaxed);
    }
    return {p, p, &counted_free, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &counted_free; }
};

CountingCpuAllocator g_counting_allocator;
#endif

}  // namespace

}  // namespace dc

extern "C" {

int dc_memory_counter_install(int* installed) {
  DC_TRY
  if (installed == nullptr) throw std::invalid_argument("null output pointer");
#if defined(__GLIBC__)
  // SetCPUAllocator is meant for start-up: the managed loader calls this once, before the first tensor is made.
  // Tensors made before keep the default allocator's deleter, so mixing is safe. Priority 0 replaces libtorch's
  // default (also 0) but never an allocator a host process registered with a higher priority.
  if (c10::GetCPUAllocator() != &dc::g_counting_allocator) c10::SetCPUAllocator(&dc::g_counting_allocator, 0);
  *installed = c10::GetCPUAllocator() == &dc::g_counting_allocator ? 1 : 0;
#else
  *installed = 0;
#endif
  DC_CATCH
}

int dc_memory_cpu_stats(int64_t* current, int64_t* peak, int64_t* allocations) {
  DC_TRY
  if (current == nullptr || peak == nullptr || allocations == nullptr) throw std::invalid_argument("null output pointer");
  *current = dc::g_cpu_current.load(std::memory_order_relaxed);
  *peak = dc::g_cpu_peak.load(std::memory_order_relaxed);
  *allocations = dc::g_cpu_allocations.load(std::memory_order_relaxed);
  DC_CATCH
}

int dc_memory_cpu_reset_peak(void) {
  DC_TRY
  dc::g_cpu_peak.store(dc::g_cpu_current.load(std::memory_order_relaxed), std::memory_order_relaxed);
  DC_CATCH
}

}  // extern "C"
