// The libtorch floor under the small-op benchmarks: the same 16-element float32 ops called straight from C++
// (no P/Invoke, no SafeHandle, no Python), timed with the same method as the .NET and Python runners (warm-up, then
// the median of repeats of a fixed call count). Not part of run-comparison.sh; build and run by hand:
//   g++ -O2 -std=c++17 benchmarks/native/libtorch_floor.cpp -o /tmp/libtorch_floor \
//       -I/usr/include/torch/csrc/api/include -ltorch_cpu -lc10 && /tmp/libtorch_floor [threads]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

template <typename F>
static void measure(const char* name, F&& call, int warmup = 20000, int inner = 20000, int repeats = 21) {
  for (int i = 0; i < warmup; ++i) call();
  std::vector<double> per_call;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < inner; ++i) call();
    std::chrono::duration<double, std::micro> us = std::chrono::steady_clock::now() - start;
    per_call.push_back(us.count() / inner);
  }
  std::sort(per_call.begin(), per_call.end());
  double median = per_call.size() % 2 ? per_call[per_call.size() / 2]
                                      : (per_call[per_call.size() / 2 - 1] + per_call[per_call.size() / 2]) / 2;
  std::printf("%-20s %10.3f %10.3f %-8s %7d %7d\n", name, median, per_call.front(), "us/op", repeats, inner);
}

int main(int argc, char** argv) {
  at::set_num_threads(argc > 1 ? std::atoi(argv[1]) : 2);
  at::manual_seed(1234);
  at::Tensor a = at::randn({16});
  at::Tensor b = at::randn({16});
  std::printf("# side=c++ libtorch=%s threads=%d statistic=median\n", TORCH_VERSION, at::get_num_threads());
  std::printf("%-20s %10s %10s %-8s %7s %7s\n", "workload", "median", "min", "unit", "repeats", "inner");
  measure("add_f32x16", [&] { at::Tensor c = at::add(a, b); });
  measure("mul_scalar_f32x16", [&] { at::Tensor c = at::mul(a, 2.0); });
  // What the shim adds around a kernel call: a heap-allocated at::Tensor handle, created and deleted.
  measure("heap_handle", [&] { delete new at::Tensor(a); });
  return 0;
}
