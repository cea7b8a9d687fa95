// Data-parallel communication over libtorch's own distributed engine, c10d: rendezvous stores (TCPStore, FileStore),
// process groups (Gloo on CPU; NCCL in a shim built against a CUDA libtorch with nccl.h, DC_WITH_NCCL), bucketed
// all-reduce and broadcast of tensor lists, barrier.
//
// Every collective first all-gathers a 63-bit signature of the call (operation, root, count, dtypes, shapes), so ranks
// that call with different tensors fail together with DC_ERR_MISMATCH instead of hanging or mixing bytes. A failure
// while communicating (a peer exited, a connection broke: DC_ERR_DISTRIBUTED; nothing arrived within the group's
// timeout: DC_ERR_TIMEOUT) marks the group failed; every later call on it fails at once with the first error.
#include "dc_common.h"

#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/exception.h>
#if defined(DC_WITH_NCCL)
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL 1
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <stdexcept>

namespace dc {
namespace {

constexpr int kBackendGloo = 0;
constexpr int kBackendNccl = 1;

// Operations as the signature records them; reduce ops 0..3 match the managed ReduceOperation.
constexpr int kOpSum = 0, kOpAverage = 1, kOpMin = 2, kOpMax = 3;
constexpr int kSigAllReduce = 100, kSigBroadcast = 200, kSigBarrier = 300;

// An error that already carries its dc_error_kind and its full message.
struct DistError : std::runtime_error {
  DistError(int k, const std::string& m) : std::runtime_error(m), kind(k) {}
  int kind;
};

struct StoreBox {
  c10::intrusive_ptr<c10d::Store> store;
  std::string where;  // "the TCP store at host:port" / "the file store at path", for messages
};

// The process group behind one handle. c10d's class hierarchy differs between libtorch 1.13 (ProcessGroupGloo derives
// from ProcessGroup) and 2.x (from Backend), so the concrete group type is held through a small template instead.
struct Group {
  virtual ~Group() = default;
  virtual c10::intrusive_ptr<c10d::Work> allreduce(std::vector<at::Tensor>& t, const c10d::AllreduceOptions& o) = 0;
  virtual c10::intrusive_ptr<c10d::Work> broadcast(std::vector<at::Tensor>& t, const c10d::BroadcastOptions& o) = 0;
  virtual c10::intrusive_ptr<c10d::Work> allgather(std::vector<std::vector<at::Tensor>>& out, std::vector<at::Tensor>& in) = 0;

  int rank = 0;
  int size = 1;
  int backend = kBackendGloo;
  c10::Device device{c10::kCPU};  // where tensors live for this backend (the signature tensor goes there too)
  std::chrono::milliseconds timeout{0};
  std::string failure;  // the first communication error; non-empty means the group cannot be used any more

  const char* backend_name() const { return backend == kBackendNccl ? "NCCL" : "Gloo"; }
};

template <class PG>
struct GroupOf final : Group {
  explicit GroupOf(c10::intrusive_ptr<PG> p) : pg(std::move(p)) {}
  c10::intrusive_ptr<c10d::Work> allreduce(std::vector<at::Tensor>& t, const c10d::AllreduceOptions& o) override {
    return pg->allreduce(t, o);
  }
  c10::intrusive_ptr<c10d::Work> broadcast(std::vector<at::Tensor>& t, const c10d::BroadcastOptions& o) override {
    return pg->broadcast(t, o);
  }
  c10::intrusive_ptr<c10d::Work> allgather(std::vector<std::vector<at::Tensor>>& out, std::vector<at::Tensor>& in) override {
    return pg->allgather(out, in);
  }
  c10::intrusive_ptr<PG> pg;
};

StoreBox& S(dc_store h) {
  if (h == nullptr) throw std::invalid_argument("null store handle");
  return *static_cast<StoreBox*>(h);
}

Group& P(dc_process_group h) {
  if (h == nullptr) throw std::invalid_argument("null process group handle");
  return *static_cast<Group*>(h);
}

std::string message_of(const std::exception& e) {
  if (auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  return e.what();
}

bool mentions_timeout(const std::string& m) {
  for (const char* w : {"imed out", "imeout", "time out", "timedout"})
    if (m.find(w) != std::string::npos) return true;
  return false;
}

int kind_of(const std::exception& e, const std::string& m) {
  if (dynamic_cast<const c10d::TimeoutError*>(&e) != nullptr || mentions_timeout(m)) return DC_ERR_TIMEOUT;
  return DC_ERR_DISTRIBUTED;
}

std::string seconds(std::chrono::milliseconds t) {
  double s = static_cast<double>(t.count()) / 1000.0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", s);
  return buf;
}

// Records a communication failure on the group and raises it with the context a user needs.
[[noreturn]] void raise_failure(Group& g, const char* what, const std::exception& e) {
  std::string m = message_of(e);
  int kind = kind_of(e, m);
  std::string msg = std::string(what) + " on rank " + std::to_string(g.rank) + " of " + std::to_string(g.size) + " (" +
                    g.backend_name() + ") failed: " + m + ". ";
  if (kind == DC_ERR_TIMEOUT)
    msg += "A peer did not take part within the group's timeout of " + seconds(g.timeout) +
           ": it is stuck, has exited, or is running a different collective (raise ProcessGroupOptions.Timeout if "
           "steps really take this long).";
  else
    msg += "A peer process exited or its connection broke.";
  msg += " The process group cannot be used any more: stop every rank and restart the job (a trainer resumes from "
         "its last checkpoint).";
  g.failure = msg;
  throw DistError(kind, msg);
}

template <class F>
auto communicate(Group& g, const char* what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const DistError&) {
    throw;
  } catch (const std::exception& e) {
    raise_failure(g, what, e);
  }
}

void wait(Group& g, const char* what, const c10::intrusive_ptr<c10d::Work>& work) {
  communicate(g, what, [&] { return work->wait(); });
}

void ensure_usable(const Group& g) {
  if (!g.failure.empty())
    throw DistError(DC_ERR_DISTRIBUTED, "The process group failed earlier and cannot be used any more. First error: " + g.failure);
}

// FNV-1a over the call's description, folded to 63 bits so it fits a non-negative int64.
struct Signature {
  uint64_t h = 1469598103934665603ULL;
  void add(int64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= static_cast<uint64_t>(v >> (8 * i)) & 0xffU;
      h *= 1099511628211ULL;
    }
  }
  int64_t value() const { return static_cast<int64_t>(h & 0x7fffffffffffffffULL); }
};

std::string describe(const std::vector<at::Tensor>& ts) {
  std::string s;
  size_t shown = std::min<size_t>(ts.size(), 4);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) s += ", ";
    s += std::string(c10::toString(ts[i].scalar_type())) + " " + c10::str(ts[i].sizes());
  }
  if (ts.size() > shown) s += ", … (" + std::to_string(ts.size()) + " tensors)";
  return s;
}

// All-gathers this rank's signature and fails on every rank, naming the ranks that differ from rank 0, when they
// do not all match.
void check_signature(Group& g, const char* what, int64_t sig, const std::string& local) {
  auto opts = at::TensorOptions().dtype(at::kLong).device(g.device);
  std::vector<at::Tensor> in{at::full({1}, sig, opts)};
  std::vector<std::vector<at::Tensor>> out(1);
  for (int r = 0; r < g.size; ++r) out[0].push_back(at::empty({1}, opts));
  wait(g, what, communicate(g, what, [&] { return g.allgather(out, in); }));
  int64_t first = out[0][0].item<int64_t>();
  std::string differ;
  for (int r = 1; r < g.size; ++r) {
    if (out[0][static_cast<size_t>(r)].item<int64_t>() != first) differ += (differ.empty() ? "" : ", ") + std::to_string(r);
  }
  if (differ.empty()) return;
  throw DistError(DC_ERR_MISMATCH,
      std::string(what) + " on rank " + std::to_string(g.rank) + " of " + std::to_string(g.size) +
      ": rank(s) " + differ + " passed other tensors (count, dtype or shape), another root or another operation than "
      "rank 0. This rank passed [" + local + "]. Every rank must run the same collectives with tensors of the same "
      "shapes, in the same order.");
}

int64_t signature_of(int op, int64_t root, const std::vector<at::Tensor>& ts) {
  Signature s;
  s.add(op);
  s.add(root);
  s.add(static_cast<int64_t>(ts.size()));
  for (const auto& t : ts) {
    s.add(static_cast<int64_t>(t.scalar_type()));
    s.add(t.dim());
    for (int64_t d : t.sizes()) s.add(d);
  }
  return s.value();
}

std::vector<at::Tensor> checked_tensors(const Group& g, const dc_tensor* handles, int n, const char* what) {
  if (n < 0) throw c10::ValueError({__func__, __FILE__, __LINE__}, std::string(what) + ": negative tensor count");
  if (n > 0 && handles == nullptr) throw std::invalid_argument("null tensor list");
  std::vector<at::Tensor> ts = tensors(handles, n);
  for (const auto& t : ts) {
    if (!t.defined()) throw std::invalid_argument(std::string(what) + ": an undefined tensor was passed");
    if (t.layout() != at::kStrided)
      throw c10::ValueError({__func__, __FILE__, __LINE__}, std::string(what) + " takes dense (strided) tensors only");
    if (t.device() != g.device)
      throw c10::ValueError({__func__, __FILE__, __LINE__},
          std::string(what) + ": a tensor on " + t.device().str() + " was passed to a " + g.backend_name() +
          " process group that communicates tensors on " + g.device.str() +
          (g.backend == kBackendGloo ? "; move it to the CPU or create the group with the NCCL backend" : "; move it to that device"));
  }
  return ts;
}

// Tensors of one dtype, in call order, holding at most cap bytes (a larger tensor gets a bucket of its own).
struct Bucket {
  std::vector<size_t> members;
  int64_t bytes = 0;
};

std::vector<Bucket> make_buckets(const std::vector<at::Tensor>& ts, int64_t cap) {
  std::vector<Bucket> buckets;
  std::map<at::ScalarType, size_t> open;
  for (size_t i = 0; i < ts.size(); ++i) {
    if (ts[i].numel() == 0) continue;
    int64_t bytes = ts[i].numel() * static_cast<int64_t>(ts[i].element_size());
    auto it = open.find(ts[i].scalar_type());
    if (it == open.end() || (buckets[it->second].bytes > 0 && buckets[it->second].bytes + bytes > cap)) {
      buckets.emplace_back();
      open[ts[i].scalar_type()] = buckets.size() - 1;
      it = open.find(ts[i].scalar_type());
    }
    buckets[it->second].members.push_back(i);
    buckets[it->second].bytes += bytes;
  }
  return buckets;
}

// A bucket's tensors as one flat tensor: the tensor itself (a view) when it is alone and contiguous, else a copy.
at::Tensor flatten(const std::vector<at::Tensor>& ts, const Bucket& b, bool& direct) {
  direct = b.members.size() == 1 && ts[b.members[0]].is_contiguous();
  if (direct) return ts[b.members[0]].view({-1});
  std::vector<at::Tensor> parts;
  parts.reserve(b.members.size());
  for (size_t i : b.members) parts.push_back(ts[i].reshape({-1}));
  return at::cat(parts);
}

void unflatten(const std::vector<at::Tensor>& ts, const Bucket& b, const at::Tensor& flat) {
  int64_t offset = 0;
  for (size_t i : b.members) {
    int64_t n = ts[i].numel();
    ts[i].copy_(flat.narrow(0, offset, n).view(ts[i].sizes()));
    offset += n;
  }
}

c10d::ReduceOp reduce_op(int op) {
  switch (op) {
    case kOpSum:
    case kOpAverage: return c10d::ReduceOp(c10d::ReduceOp::SUM);
    case kOpMin: return c10d::ReduceOp(c10d::ReduceOp::MIN);
    case kOpMax: return c10d::ReduceOp(c10d::ReduceOp::MAX);
    default: throw c10::ValueError({__func__, __FILE__, __LINE__}, "unknown reduce operation " + std::to_string(op));
  }
}

// Runs one collective per bucket (all launched, then all awaited), then writes the results back.
template <class Launch>
void bucketed(Group& g, const char* what, const std::vector<at::Tensor>& ts, int64_t cap, Launch&& launch,
              const std::function<void(at::Tensor&)>& after = {}) {
  std::vector<Bucket> buckets = make_buckets(ts, cap);
  std::vector<at::Tensor> flats(buckets.size());
  std::vector<bool> direct(buckets.size());
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  for (size_t b = 0; b < buckets.size(); ++b) {
    bool d = false;
    flats[b] = flatten(ts, buckets[b], d);
    direct[b] = d;
    std::vector<at::Tensor> one{flats[b]};
    works.push_back(communicate(g, what, [&] { return launch(one); }));
  }
  for (auto& w : works) wait(g, what, w);
  for (size_t b = 0; b < buckets.size(); ++b) {
    if (after) after(flats[b]);
    if (!direct[b]) unflatten(ts, buckets[b], flats[b]);
  }
}

template <class F>
int dist_call(F&& f) {
  DC_TRY
  try {
    f();
  } catch (const DistError& e) {
    return dc::set_error(e.kind, e.what());
  }
  DC_CATCH
}

[[noreturn]] void raise_rendezvous(const std::string& where, const std::exception& e, const std::string& advice) {
  std::string m = message_of(e);
  bool timeout = dynamic_cast<const c10d::TimeoutError*>(&e) != nullptr || mentions_timeout(m);
  throw DistError(timeout ? DC_ERR_TIMEOUT : DC_ERR_DISTRIBUTED,
                  "Rendezvous through " + where + " failed: " + m + ". " + advice);
}

}  // namespace
}  // namespace dc

extern "C" {

int dc_store_tcp_new(const char* host, int port, int is_server, int world_size, int64_t timeout_ms, dc_store* out) {
  return dc::dist_call([&] {
    if (host == nullptr || out == nullptr) throw std::invalid_argument("null argument");
    if (port < 1 || port > 65535) throw c10::ValueError({__func__, __FILE__, __LINE__}, "port must be in 1..65535, got " + std::to_string(port));
    if (world_size < 1) throw c10::ValueError({__func__, __FILE__, __LINE__}, "world size must be >= 1");
    if (timeout_ms < 1) throw c10::ValueError({__func__, __FILE__, __LINE__}, "timeout must be positive");
    c10d::TCPStoreOptions opts;
    opts.port = static_cast<std::uint16_t>(port);
    opts.isServer = is_server != 0;
    opts.numWorkers = static_cast<std::size_t>(world_size);
    opts.waitWorkers = true;
    opts.timeout = std::chrono::milliseconds(timeout_ms);
    std::string where = std::string("the TCP store at ") + host + ":" + std::to_string(port);
    auto box = std::make_unique<dc::StoreBox>();
    box->where = where;
    try {
      box->store = c10::make_intrusive<c10d::TCPStore>(std::string(host), opts);
    } catch (const std::exception& e) {
      dc::raise_rendezvous(where, e, is_server != 0
          ? "Rank 0 hosts the store: is the port free on this machine, and did all " + std::to_string(world_size) +
            " ranks start within the timeout?"
          : "Is rank 0 running, is MASTER_ADDR:MASTER_PORT reachable from this machine, and did all " +
            std::to_string(world_size) + " ranks start within the timeout?");
    }
    *out = box.release();
  });
}

int dc_store_file_new(const char* path, int world_size, int64_t timeout_ms, dc_store* out) {
  return dc::dist_call([&] {
    if (path == nullptr || out == nullptr) throw std::invalid_argument("null argument");
    if (world_size < 1) throw c10::ValueError({__func__, __FILE__, __LINE__}, "world size must be >= 1");
    if (timeout_ms < 1) throw c10::ValueError({__func__, __FILE__, __LINE__}, "timeout must be positive");
    std::string where = std::string("the file store at ") + path;
    auto box = std::make_unique<dc::StoreBox>();
    box->where = where;
    try {
      box->store = c10::make_intrusive<c10d::FileStore>(std::string(path), world_size);
      box->store->setTimeout(std::chrono::milliseconds(timeout_ms));
    } catch (const std::exception& e) {
      dc::raise_rendezvous(where, e, "Every rank must see the same file (a shared file system), and it must not be "
                                     "left over from an earlier run.");
    }
    *out = box.release();
  });
}

void dc_store_free(dc_store s) { delete static_cast<dc::StoreBox*>(s); }

int dc_dist_backend_available(int backend, int* out) {
  DC_TRY
  if (out == nullptr) throw std::invalid_argument("null output pointer");
  if (backend == dc::kBackendGloo) *out = 1;
  else if (backend == dc::kBackendNccl) {
#if defined(DC_WITH_NCCL)
    *out = at::hasCUDA() ? 1 : 0;
#else
    *out = 0;
#endif
  } else throw c10::ValueError({__func__, __FILE__, __LINE__}, "unknown backend " + std::to_string(backend));
  DC_CATCH
}

int dc_pg_new(dc_store store, int rank, int world_size, int backend, int64_t timeout_ms, const char* iface,
              const char* hostname, int cuda_device, dc_process_group* out) {
  return dc::dist_call([&] {
    if (out == nullptr) throw std::invalid_argument("null output pointer");
    auto& box = dc::S(store);
    if (world_size < 1) throw c10::ValueError({__func__, __FILE__, __LINE__}, "world size must be >= 1, got " + std::to_string(world_size));
    if (rank < 0 || rank >= world_size)
      throw c10::IndexError({__func__, __FILE__, __LINE__}, "rank " + std::to_string(rank) + " is outside 0.." + std::to_string(world_size - 1));
    if (timeout_ms < 1) throw c10::ValueError({__func__, __FILE__, __LINE__}, "timeout must be positive");
    auto timeout = std::chrono::milliseconds(timeout_ms);
    std::unique_ptr<dc::Group> group;
    try {
      if (backend == dc::kBackendGloo) {
        auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
        if (iface != nullptr && *iface != '\0') opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
        else if (hostname != nullptr && *hostname != '\0') opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(hostname));
        else opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        group = std::make_unique<dc::GroupOf<c10d::ProcessGroupGloo>>(
            c10::make_intrusive<c10d::ProcessGroupGloo>(box.store, rank, world_size, opts));
      } else if (backend == dc::kBackendNccl) {
#if defined(DC_WITH_NCCL)
        if (!at::hasCUDA()) throw c10::NotImplementedError({__func__, __FILE__, __LINE__}, "the NCCL backend needs a visible CUDA device");
        // Without blocking wait, NCCL waits forever for a dead peer; with it, Work::wait throws after the timeout.
        setenv("NCCL_BLOCKING_WAIT", "1", 0);
        setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);
        auto opts = c10d::ProcessGroupNCCL::Options::create();
        opts->timeout = timeout;
        auto g = std::make_unique<dc::GroupOf<c10d::ProcessGroupNCCL>>(
            c10::make_intrusive<c10d::ProcessGroupNCCL>(box.store, rank, world_size, opts));
        g->device = dc::device(1, cuda_device);
        group = std::move(g);
#else
        throw c10::NotImplementedError({__func__, __FILE__, __LINE__},
            "The NCCL backend needs the shim built against a CUDA libtorch with NCCL's nccl.h (LIBTORCH=<dir>, "
            "NCCL_HOME=<dir>, then dotnet build); this shim was built without it. Use the Gloo backend.");
#endif
      } else {
        throw c10::ValueError({__func__, __FILE__, __LINE__}, "unknown backend " + std::to_string(backend));
      }
    } catch (const c10::NotImplementedError&) {
      throw;  // argument and availability errors of this process, not of the rendezvous
    } catch (const c10::ValueError&) {
      throw;
    } catch (const c10::IndexError&) {
      throw;
    } catch (const std::exception& e) {
      dc::raise_rendezvous(box.where, e, "Did all " + std::to_string(world_size) +
          " ranks start within the timeout with the same store and distinct ranks, and can they reach each other "
          "(GLOO_SOCKET_IFNAME names the network interface to use)?");
    }
    group->rank = rank;
    group->size = world_size;
    group->backend = backend;
    group->timeout = timeout;
    *out = group.release();
  });
}

void dc_pg_free(dc_process_group g) { delete static_cast<dc::Group*>(g); }

int dc_pg_allreduce(dc_process_group pg, const dc_tensor* ts, int n, int op, int64_t bucket_bytes) {
  return dc::dist_call([&] {
    auto& g = dc::P(pg);
    dc::ensure_usable(g);
    at::NoGradGuard no_grad;
    auto reduce = dc::reduce_op(op);
    std::vector<at::Tensor> list = dc::checked_tensors(g, ts, n, "all_reduce");
    if (op == dc::kOpAverage) {
      for (const auto& t : list)
        if (!at::isFloatingType(t.scalar_type()))
          throw c10::TypeError({__func__, __FILE__, __LINE__}, "all_reduce with Average needs floating-point tensors, got " +
                                                                  std::string(c10::toString(t.scalar_type())));
    }
    if (bucket_bytes < 1) throw c10::ValueError({__func__, __FILE__, __LINE__}, "bucket size must be positive");
    dc::check_signature(g, "all_reduce", dc::signature_of(dc::kSigAllReduce + op, 0, list), dc::describe(list));
    c10d::AllreduceOptions opts;
    opts.reduceOp = reduce;
    int size = g.size;
    dc::bucketed(g, "all_reduce", list, bucket_bytes,
                 [&](std::vector<at::Tensor>& one) { return g.allreduce(one, opts); },
                 [&](at::Tensor& flat) { if (op == dc::kOpAverage) flat.div_(size); });
  });
}

int dc_pg_broadcast(dc_process_group pg, const dc_tensor* ts, int n, int root, int64_t bucket_bytes) {
  return dc::dist_call([&] {
    auto& g = dc::P(pg);
    dc::ensure_usable(g);
    at::NoGradGuard no_grad;
    if (root < 0 || root >= g.size)
      throw c10::IndexError({__func__, __FILE__, __LINE__}, "root rank " + std::to_string(root) + " is outside 0.." + std::to_string(g.size - 1));
    std::vector<at::Tensor> list = dc::checked_tensors(g, ts, n, "broadcast");
    if (bucket_bytes < 1) throw c10::ValueError({__func__, __FILE__, __LINE__}, "bucket size must be positive");
    dc::check_signature(g, "broadcast", dc::signature_of(dc::kSigBroadcast, root, list), dc::describe(list));
    c10d::BroadcastOptions opts;
    opts.rootRank = root;
    dc::bucketed(g, "broadcast", list, bucket_bytes, [&](std::vector<at::Tensor>& one) { return g.broadcast(one, opts); });
  });
}

int dc_pg_barrier(dc_process_group pg) {
  return dc::dist_call([&] {
    auto& g = dc::P(pg);
    dc::ensure_usable(g);
    at::NoGradGuard no_grad;
    // The signature exchange is itself an all-gather every rank must reach: a barrier.
    dc::check_signature(g, "barrier", dc::signature_of(dc::kSigBarrier, 0, {}), "");
  });
}

}  // extern "C"
