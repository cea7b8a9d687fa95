// Operator-level profile (ABI 6): libtorch's RecordFunction observer API counts every dispatched operator and autograd
// node (the same events torch.profiler shows) with its calls, self time and total time, optionally keyed by the input
// dtypes and shapes. One profile per process at a time; the observer is a global callback, removed on stop.
#include "dc_common.h"

#include <ATen/record_function.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <utility>
#include <vector>

namespace {

struct OpStats {
  int64_t calls = 0;
  int64_t self_ns = 0;
  int64_t total_ns = 0;
};

struct Frame;

// The frames open on one thread, innermost last. A frame's parent is the frame below it at the moment it ends, looked
// up under the stack's lock, so no frame is touched after it ended (even if events end out of order or on another
// thread); the stack is shared with the frames so it outlives its thread if a frame ends elsewhere.
struct ThreadStack {
  std::mutex mutex;
  std::vector<Frame*> frames;
};

struct Frame : public at::ObserverContext {
  std::chrono::steady_clock::time_point start;
  int64_t child_ns = 0;
  std::shared_ptr<ThreadStack> stack;
  std::string key;
};

std::mutex g_mutex;                                       // guards g_stats, g_active and g_handle
std::map<std::pair<std::string, std::string>, OpStats> g_stats;  // (name, inputs) → stats
bool g_active = false;
std::atomic<bool> g_record_shapes{false};
at::CallbackHandle g_handle = 0;
thread_local std::shared_ptr<ThreadStack> t_stack;

const char* short_dtype(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "f32";
    case at::kDouble: return "f64";
    case at::kHalf: return "f16";
    case at::kBFloat16: return "bf16";
    case at::kLong: return "i64";
    case at::kInt: return "i32";
    case at::kBool: return "bool";
    case at::kByte: return "u8";
    default: return c10::toString(t);
  }
}

std::string describe_inputs(const at::RecordFunction& fn) {
  std::ostringstream s;
  bool first = true;
  for (const c10::IValue& v : fn.inputs()) {
    if (!first) s << ", ";
    first = false;
    if (v.isTensor()) {
      const at::Tensor& t = v.toTensor();
      if (!t.defined()) { s << "undefined"; continue; }
      s << short_dtype(t.scalar_type()) << '[';
      for (int64_t d = 0; d < t.dim(); ++d) s << (d ? "," : "") << t.size(d);
      s << ']';
      if (t.layout() != at::kStrided) {
        s << c10::toString(t.layout());  // opaque (oneDNN) or sparse: no strides to ask about
      } else if (t.dim() == 4 && !t.is_contiguous() && t.is_contiguous(at::MemoryFormat::ChannelsLast)) {
        s << "CL";
      }
    } else if (v.isTensorList()) {
      s << "list(" << v.toTensorList().size() << ')';
    } else if (v.isScalar()) {
      s << "scalar";
    } else if (v.isNone()) {
      s << "none";
    } else {
      s << v.tagKind();
    }
  }
  return s.str();
}

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  auto frame = std::make_unique<Frame>();
  if (g_record_shapes.load(std::memory_order_relaxed)) frame->key = describe_inputs(fn);
  if (!t_stack) t_stack = std::make_shared<ThreadStack>();
  frame->stack = t_stack;
  {
    std::lock_guard<std::mutex> lock(frame->stack->mutex);
    frame->stack->frames.push_back(frame.get());
  }
  frame->start = std::chrono::steady_clock::now();
  return frame;
}

void on_end(const at::RecordFunction& fn, at::ObserverContext* ctx) {
  auto* frame = static_cast<Frame*>(ctx);
  if (frame == nullptr) return;
  int64_t total = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - frame->start).count();
  {
    std::lock_guard<std::mutex> lock(frame->stack->mutex);
    std::vector<Frame*>& frames = frame->stack->frames;
    auto it = std::find(frames.rbegin(), frames.rend(), frame);
    if (it != frames.rend()) {
      auto pos = std::next(it).base();  // the frame's position from the front
      if (pos != frames.begin()) (*std::prev(pos))->child_ns += total;
      frames.erase(pos);
    }
  }
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_active) return;
  OpStats& st = g_stats[{fn.name(), std::move(frame->key)}];
  st.calls += 1;
  st.total_ns += total;
  st.self_ns += total - frame->child_ns;
}

std::string sanitized(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

extern "C" {

int dc_op_profile_start(int record_shapes) {
  DC_TRY
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_active) return dc::set_error(DC_ERR_VALUE, "an operator profile is already running in this process: stop it first");
  g_stats.clear();
  g_record_shapes.store(record_shapes != 0, std::memory_order_relaxed);
  g_handle = at::addGlobalCallback(at::RecordFunctionCallback(&on_start, &on_end).needsInputs(record_shapes != 0));
  g_active = true;
  DC_CATCH
}

int dc_op_profile_stop(void) {
  DC_TRY
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_active) return dc::set_error(DC_ERR_VALUE, "no operator profile is running");
  at::removeCallback(g_handle);
  g_handle = 0;
  g_active = false;
  DC_CATCH
}

int dc_op_profile_report(char* buffer, int64_t capacity, int64_t* needed) {
  DC_TRY
  if (needed == nullptr) return dc::set_error(DC_ERR_NULL_ARGUMENT, "null output pointer");
  std::ostringstream s;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    for (const auto& [key, st] : g_stats) {
      s << st.calls << '\t' << st.self_ns << '\t' << st.total_ns << '\t' << sanitized(key.first) << '\t'
        << sanitized(key.second) << '\n';
    }
  }
  std::string text = s.str();
  *needed = static_cast<int64_t>(text.size());
  if (buffer != nullptr && capacity >= static_cast<int64_t>(text.size())) std::memcpy(buffer, text.data(), text.size());
  DC_CATCH
}

}  // extern "C"
