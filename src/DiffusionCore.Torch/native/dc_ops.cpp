// Elementwise math, reductions, linear algebra, shape and indexing operations.
#include "dc_common.h"

#include <ATen/TensorIndexing.h>

#include <cmath>
#include <limits>

using dc::T;

namespace {

[[noreturn]] void bad_op(const char* fn, int op) {
  throw c10::ValueError({fn, __FILE__, __LINE__}, std::string(fn) + ": unknown op code " + std::to_string(op));
}

at::Tensor unary(int op, const at::Tensor& a) {
  switch (op) {
    case 0: return at::neg(a);
    case 1: return at::abs(a);
    case 2: return at::sqrt(a);
    case 3: return at::rsqrt(a);
    case 4: return at::exp(a);
    case 5: return at::log(a);
    case 6: return at::sin(a);
    case 7: return at::cos(a);
    case 8: return at::tanh(a);
    case 9: return at::sigmoid(a);
    case 10: return at::silu(a);
    case 11: return at::relu(a);
    case 12: return at::sign(a);
    case 13: return at::square(a);
    case 14: return at::reciprocal(a);
    case 15: return at::floor(a);
    case 16: return at::round(a);
    case 17: return at::erf(a);
    case 18: return at::log1p(a);
    case 19: return at::expm1(a);
    case 20: return at::isfinite(a);
    case 21: return at::isnan(a);
    case 22: return at::logical_not(a);
    case 23: return a.clone();
    case 24: return at::ceil(a);
    case 25: return at::isinf(a);
    case 26: return at::log2(a);
    case 27: return at::trunc(a);
    case 28: return at::atan(a);
    default: bad_op(__func__, op);
  }
}

void unary_(int op, at::Tensor& a) {
  switch (op) {
    case 0: a.neg_(); break;
    case 1: a.abs_(); break;
    case 2: a.sqrt_(); break;
    case 3: a.rsqrt_(); break;
    case 4: a.exp_(); break;
    case 5: a.log_(); break;
    case 6: a.sin_(); break;
    case 7: a.cos_(); break;
    case 8: a.tanh_(); break;
    case 9: a.sigmoid_(); break;
    case 10: at::silu_(a); break;
    case 11: a.relu_(); break;
    case 13: a.square_(); break;
    case 14: a.reciprocal_(); break;
    case 15: a.floor_(); break;
    case 16: a.round_(); break;
    case 99: a.zero_(); break;
    default: bad_op(__func__, op);
  }
}

at::Tensor binary(int op, const at::Tensor& a, const at::Tensor& b) {
  switch (op) {
    case 0: return at::add(a, b);
    case 1: return at::sub(a, b);
    case 2: return at::mul(a, b);
    case 3: return at::div(a, b);
    case 4: return at::pow(a, b);
    case 5: return at::maximum(a, b);
    case 6: return at::minimum(a, b);
    case 7: return at::eq(a, b);
    case 8: return at::ne(a, b);
    case 9: return at::lt(a, b);
    case 10: return at::le(a, b);
    case 11: return at::gt(a, b);
    case 12: return at::ge(a, b);
    case 13: return at::atan2(a, b);
    case 14: return at::remainder(a, b);
    case 15: return at::logical_and(a, b);
    case 16: return at::logical_or(a, b);
    case 17: return at::floor_divide(a, b);
    case 19: return at::fmod(a, b);
    default: bad_op(__func__, op);
  }
}

void binary_(int op, at::Tensor& a, const at::Tensor& b) {
  switch (op) {
    case 0: a.add_(b); break;
    case 1: a.sub_(b); break;
    case 2: a.mul_(b); break;
    case 3: a.div_(b); break;
    case 4: a.pow_(b); break;
    default: bad_op(__func__, op);
  }
}

at::Tensor binary_scalar(int op, const at::Tensor& a, const at::Scalar& s) {
  switch (op) {
    case 0: return at::add(a, s);
    case 1: return at::sub(a, s);
    case 2: return at::mul(a, s);
    case 3: return at::div(a, s);
    case 4: return at::pow(a, s);
    case 5: return at::clamp_min(a, s);
    case 6: return at::clamp_max(a, s);
    case 7: return at::eq(a, s);
    case 8: return at::ne(a, s);
    case 9: return at::lt(a, s);
    case 10: return at::le(a, s);
    case 11: return at::gt(a, s);
    case 12: return at::ge(a, s);
    case 14: return at::remainder(a, s);
    case 17: return at::floor_divide(a, s);
    case 18: return at::rsub(a, s);
    case 19: return at::fmod(a, s);
    case 20: return at::mul(at::reciprocal(a), s);
    case 21: return at::pow(s, a);
    default: bad_op(__func__, op);
  }
}

void binary_scalar_(int op, at::Tensor& a, const at::Scalar& s) {
  switch (op) {
    case 0: a.add_(s); break;
    case 1: a.sub_(s); break;
    case 2: a.mul_(s); break;
    case 3: a.div_(s); break;
    case 4: a.pow_(s); break;
    case 98: a.fill_(s); break;
    default: bad_op(__func__, op);
  }
}

at::Scalar scalar(double s, int is_int) {
  return is_int != 0 ? at::Scalar(static_cast<int64_t>(s)) : at::Scalar(s);
}

// The number as a 0-dim operand of a's dtype, for add/sub/mul/div/rsub of a CPU float32/float64 tensor; undefined
// elsewhere. libtorch wraps a number as a 0-dim float64 (int64) tensor, and on the CPU its TensorIterator then casts
// that to the tensor's dtype in a temporary: one allocation and one copy kernel per op, and again in the
// op's backward, which multiplies by the saved number. Making the operand in a's dtype up front is the same value (the
// same static_cast) through the same kernel, without the temporary; its backward reuses it. bfloat16/float16 keep
// libtorch's own path (their kernels may read the wrapped number at float precision), CUDA tensors take CPU numbers as
// kernel arguments anyway, and a float64 value beyond float32's range keeps libtorch's path, which rounds it to ±inf.
at::Tensor same_dtype_number(const at::Tensor& a, double s, int is_int) {
  const at::ScalarType st = a.scalar_type();
  if (!a.device().is_cpu() || a.layout() != at::kStrided || (st != at::kFloat && st != at::kDouble)) return {};
  if (st == at::kFloat && is_int == 0 && std::isfinite(s) && std::fabs(s) > std::numeric_limits<float>::max()) return {};
  at::Tensor n = at::scalar_tensor(scalar(s, is_int), at::TensorOptions().dtype(st));
  n.unsafeGetTensorImpl()->set_wrapped_number(true);
  return n;
}

// add, sub, mul, div (op codes shared with binary and binary_) and rsub, which is sub with the operands swapped.
bool takes_same_dtype_number(int op) { return op == 0 || op == 1 || op == 2 || op == 3 || op == 18; }

}  // namespace

extern "C" {

int dc_unary(int op, dc_tensor a, dc_tensor* out) { DC_TRY DC_OUT(unary(op, T(a))); DC_CATCH }
int dc_unary_(int op, dc_tensor a) { DC_TRY unary_(op, T(a)); DC_CATCH }
int dc_binary(int op, dc_tensor a, dc_tensor b, dc_tensor* out) { DC_TRY DC_OUT(binary(op, T(a), T(b))); DC_CATCH }
int dc_binary_(int op, dc_tensor a, dc_tensor b) { DC_TRY binary_(op, T(a), T(b)); DC_CATCH }
int dc_binary_scalar(int op, dc_tensor a, double s, int is_int, dc_tensor* out) {
  DC_TRY
  at::Tensor n = takes_same_dtype_number(op) ? same_dtype_number(T(a), s, is_int) : at::Tensor();
  if (!n.defined()) DC_OUT(binary_scalar(op, T(a), scalar(s, is_int)));
  else DC_OUT(op == 18 ? binary(1, n, T(a)) : binary(op, T(a), n));
  DC_CATCH
}
int dc_binary_scalar_(int op, dc_tensor a, double s, int is_int) {
  DC_TRY
  at::Tensor n = takes_same_dtype_number(op) && op != 18 ? same_dtype_number(T(a), s, is_int) : at::Tensor();
  if (n.defined()) binary_(op, T(a), n);
  else binary_scalar_(op, T(a), scalar(s, is_int));
  DC_CATCH
}
int dc_add_scaled(dc_tensor a, dc_tensor b, double alpha, dc_tensor* out) { DC_TRY DC_OUT(at::add(T(a), T(b), alpha)); DC_CATCH }
int dc_add_scaled_(dc_tensor a, dc_tensor b, double alpha) { DC_TRY T(a).add_(T(b), alpha); DC_CATCH }

int dc_clamp(dc_tensor a, double lo, double hi, int has_lo, int has_hi, dc_tensor* out) {
  DC_TRY
  c10::optional<at::Scalar> l = has_lo ? c10::optional<at::Scalar>(lo) : c10::nullopt;
  c10::optional<at::Scalar> h = has_hi ? c10::optional<at::Scalar>(hi) : c10::nullopt;
  DC_OUT(at::clamp(T(a), l, h));
  DC_CATCH
}
int dc_clamp_(dc_tensor a, double lo, double hi, int has_lo, int has_hi) {
  DC_TRY
  c10::optional<at::Scalar> l = has_lo ? c10::optional<at::Scalar>(lo) : c10::nullopt;
  c10::optional<at::Scalar> h = has_hi ? c10::optional<at::Scalar>(hi) : c10::nullopt;
  T(a).clamp_(l, h);
  DC_CATCH
}
int dc_hardtanh(dc_tensor a, double lo, double hi, dc_tensor* out) {
  DC_TRY DC_OUT(at::hardtanh(T(a), lo, hi)); DC_CATCH
}
int dc_where(dc_tensor c, dc_tensor a, dc_tensor b, dc_tensor* out) { DC_TRY DC_OUT(at::where(T(c), T(a), T(b))); DC_CATCH }
int dc_lerp(dc_tensor a, dc_tensor b, dc_tensor w, double ws, dc_tensor* out) {
  DC_TRY DC_OUT(w != nullptr ? at::lerp(T(a), T(b), T(w)) : at::lerp(T(a), T(b), ws)); DC_CATCH
}
int dc_lerp_(dc_tensor a, dc_tensor b, dc_tensor w, double ws) {
  DC_TRY
  if (w != nullptr) T(a).lerp_(T(b), T(w)); else T(a).lerp_(T(b), ws);
  DC_CATCH
}
int dc_nan_to_num(dc_tensor a, double nan, double posinf, double neginf, int inplace, dc_tensor* out) {
  DC_TRY
  // NaN for a bound means "use the dtype's largest/smallest finite value" (torch's default).
  c10::optional<double> pi = std::isnan(posinf) ? c10::nullopt : c10::optional<double>(posinf);
  c10::optional<double> ni = std::isnan(neginf) ? c10::nullopt : c10::optional<double>(neginf);
  if (inplace) T(a).nan_to_num_(nan, pi, ni);
  else DC_OUT(at::nan_to_num(T(a), nan, pi, ni));
  DC_CATCH
}
int dc_gelu(dc_tensor a, int tanh_approx, dc_tensor* out) { DC_TRY DC_OUT(at::gelu(T(a), tanh_approx ? "tanh" : "none")); DC_CATCH }
int dc_softmax(dc_tensor a, int64_t dim, int log, dc_tensor* out) {
  DC_TRY DC_OUT(log ? at::log_softmax(T(a), dim) : at::softmax(T(a), dim)); DC_CATCH
}
int dc_copy_(dc_tensor dst, dc_tensor src) { DC_TRY T(dst).copy_(T(src)); DC_CATCH }
int dc_masked_fill(dc_tensor a, dc_tensor mask, double value, int inplace, dc_tensor* out) {
  DC_TRY
  if (inplace) T(a).masked_fill_(T(mask), value);
  else DC_OUT(at::masked_fill(T(a), T(mask), value));
  DC_CATCH
}
int dc_addcmul_(dc_tensor a, dc_tensor b, dc_tensor c, double value) { DC_TRY T(a).addcmul_(T(b), T(c), value); DC_CATCH }
int dc_addcdiv_(dc_tensor a, dc_tensor b, dc_tensor c, double value) { DC_TRY T(a).addcdiv_(T(b), T(c), value); DC_CATCH }

int dc_reduce(int op, dc_tensor a, const int64_t* dims, int ndims, int keepdim, dc_tensor* out) {
  DC_TRY
  auto& x = T(a);
  bool all = ndims == 0;
  auto d = dc::ints(dims, ndims);
  switch (op) {
    case 0: DC_OUT(all ? at::sum(x) : at::sum(x, d, keepdim != 0)); break;
    case 1: DC_OUT(all ? at::mean(x) : at::mean(x, d, keepdim != 0)); break;
    case 2: DC_OUT(all ? at::amax(x, at::IntArrayRef{}) : at::amax(x, d, keepdim != 0)); break;
    case 3: DC_OUT(all ? at::amin(x, at::IntArrayRef{}) : at::amin(x, d, keepdim != 0)); break;
    case 4:
      if (all) { DC_OUT(at::prod(x)); break; }
      if (ndims != 1) throw c10::ValueError({__func__, __FILE__, __LINE__}, "prod reduces one dim at a time");
      DC_OUT(at::prod(x, dims[0], keepdim != 0));
      break;
    case 5: {
      if (all) { DC_OUT(at::logsumexp(x.flatten(), {0}, false)); break; }
      DC_OUT(at::logsumexp(x, d, keepdim != 0));
      break;
    }
    case 6:
      if (all) { DC_OUT(at::all(x)); break; }
      if (ndims != 1) throw c10::ValueError({__func__, __FILE__, __LINE__}, "all reduces one dim at a time");
      DC_OUT(at::all(x, dims[0], keepdim != 0));
      break;
    case 7:
      if (all) { DC_OUT(at::any(x)); break; }
      if (ndims != 1) throw c10::ValueError({__func__, __FILE__, __LINE__}, "any reduces one dim at a time");
      DC_OUT(at::any(x, dims[0], keepdim != 0));
      break;
    default: bad_op(__func__, op);
  }
  DC_CATCH
}

int dc_var(dc_tensor a, const int64_t* dims, int ndims, int64_t correction, int keepdim, int std, dc_tensor* out) {
  DC_TRY
  at::OptionalIntArrayRef d = ndims == 0 ? at::OptionalIntArrayRef() : at::OptionalIntArrayRef(dc::ints(dims, ndims));
  c10::optional<int64_t> corr = correction;
  DC_OUT(std ? at::std(T(a), d, corr, keepdim != 0) : at::var(T(a), d, corr, keepdim != 0));
  DC_CATCH
}

int dc_norm(dc_tensor a, double p, const int64_t* dims, int ndims, int keepdim, dc_tensor* out) {
  DC_TRY
  if (ndims == 0) DC_OUT(at::norm(T(a), p));
  else DC_OUT(at::norm(T(a), p, dc::ints(dims, ndims), keepdim != 0));
  DC_CATCH
}

int dc_max_dim(int op, dc_tensor a, int64_t dim, int keepdim, dc_tensor* values, dc_tensor* indices) {
  DC_TRY
  auto r = op == 0 ? at::max(T(a), dim, keepdim != 0) : at::min(T(a), dim, keepdim != 0);
  if (values != nullptr) *values = dc::wrap(std::get<0>(r));
  *indices = dc::wrap(std::get<1>(r));
  DC_CATCH
}

int dc_cumsum(dc_tensor a, int64_t dim, dc_tensor* out) { DC_TRY DC_OUT(at::cumsum(T(a), dim)); DC_CATCH }

// Matrix products honour the calling thread's reduced matmul precision (dc_precision.cpp): float32 operands are
// multiplied in bfloat16/float16 and the product comes back as float32.
int dc_matmul(dc_tensor a, dc_tensor b, dc_tensor* out) {
  DC_TRY
  DC_OUT(dc::with_matmul_precision(T(a), T(b), c10::nullopt, [](const at::Tensor& x, const at::Tensor& y, const auto&) { return at::matmul(x, y); }));
  DC_CATCH
}
int dc_bmm(dc_tensor a, dc_tensor b, dc_tensor* out) {
  DC_TRY
  DC_OUT(dc::with_matmul_precision(T(a), T(b), c10::nullopt, [](const at::Tensor& x, const at::Tensor& y, const auto&) { return at::bmm(x, y); }));
  DC_CATCH
}
int dc_linear(dc_tensor x, dc_tensor w, dc_tensor b, dc_tensor* out) {
  DC_TRY
  DC_OUT(dc::with_matmul_precision(T(x), T(w), dc::opt(b), [](const at::Tensor& i, const at::Tensor& k, const c10::optional<at::Tensor>& bias) {
    return at::linear(i, k, bias);
  }));
  DC_CATCH
}
int dc_einsum(const char* eq, const dc_tensor* ts, int n, dc_tensor* out) {
  DC_TRY
  auto operands = dc::tensors(ts, n);
  at::ScalarType st;
  bool lowp = dc::reduced_precision_active(st) && n >= 2;
  for (const auto& t : operands) lowp = lowp && t.scalar_type() == at::kFloat;
  if (lowp) {
    for (auto& t : operands) t = t.to(st);
    DC_OUT(at::einsum(eq, operands).to(at::kFloat));
  } else {
    DC_OUT(at::einsum(eq, operands));
  }
  DC_CATCH
}

int dc_reshape(dc_tensor a, const int64_t* s, int n, dc_tensor* out) { DC_TRY DC_OUT(T(a).reshape(dc::ints(s, n))); DC_CATCH }
int dc_view(dc_tensor a, const int64_t* s, int n, dc_tensor* out) { DC_TRY DC_OUT(T(a).view(dc::ints(s, n))); DC_CATCH }
int dc_expand(dc_tensor a, const int64_t* s, int n, dc_tensor* out) { DC_TRY DC_OUT(T(a).expand(dc::ints(s, n))); DC_CATCH }
int dc_repeat(dc_tensor a, const int64_t* s, int n, dc_tensor* out) { DC_TRY DC_OUT(T(a).repeat(dc::ints(s, n))); DC_CATCH }
int dc_permute(dc_tensor a, const int64_t* d, int n, dc_tensor* out) { DC_TRY DC_OUT(T(a).permute(dc::ints(d, n))); DC_CATCH }
int dc_flip(dc_tensor a, const int64_t* d, int n, dc_tensor* out) { DC_TRY DC_OUT(at::flip(T(a), dc::ints(d, n))); DC_CATCH }
int dc_roll(dc_tensor a, const int64_t* shifts, const int64_t* dims, int n, dc_tensor* out) {
  DC_TRY DC_OUT(at::roll(T(a), dc::ints(shifts, n), dc::ints(dims, n))); DC_CATCH
}
int dc_transpose(dc_tensor a, int64_t d0, int64_t d1, dc_tensor* out) { DC_TRY DC_OUT(T(a).transpose(d0, d1)); DC_CATCH }
int dc_flatten(dc_tensor a, int64_t s, int64_t e, dc_tensor* out) { DC_TRY DC_OUT(T(a).flatten(s, e)); DC_CATCH }
int dc_unsqueeze(dc_tensor a, int64_t d, dc_tensor* out) { DC_TRY DC_OUT(T(a).unsqueeze(d)); DC_CATCH }
int dc_squeeze(dc_tensor a, int64_t d, dc_tensor* out) {
  DC_TRY DC_OUT(d == INT64_MIN ? T(a).squeeze() : T(a).squeeze(d)); DC_CATCH
}
int dc_narrow(dc_tensor a, int64_t dim, int64_t start, int64_t len, dc_tensor* out) {
  DC_TRY DC_OUT(T(a).narrow(dim, start, len)); DC_CATCH
}
int dc_select(dc_tensor a, int64_t dim, int64_t index, dc_tensor* out) { DC_TRY DC_OUT(T(a).select(dim, index)); DC_CATCH }
int dc_cat(const dc_tensor* ts, int n, int64_t dim, int stack, dc_tensor* out) {
  DC_TRY
  auto v = dc::tensors(ts, n);
  DC_OUT(stack ? at::stack(v, dim) : at::cat(v, dim));
  DC_CATCH
}
int dc_split(dc_tensor a, const int64_t* sizes, int n, int64_t chunks, int64_t dim, dc_tensor* outs, int cap, int* count) {
  DC_TRY
  std::vector<at::Tensor> parts = chunks > 0 ? T(a).chunk(chunks, dim) : T(a).split_with_sizes(dc::ints(sizes, n), dim);
  if (static_cast<int>(parts.size()) > cap) throw c10::ValueError({__func__, __FILE__, __LINE__}, "split output buffer too small");
  for (size_t i = 0; i < parts.size(); ++i) outs[i] = dc::wrap(parts[i]);
  *count = static_cast<int>(parts.size());
  DC_CATCH
}

int dc_index_select(dc_tensor a, int64_t dim, dc_tensor idx, dc_tensor* out) { DC_TRY DC_OUT(at::index_select(T(a), dim, T(idx))); DC_CATCH }
int dc_gather(dc_tensor a, int64_t dim, dc_tensor idx, dc_tensor* out) { DC_TRY DC_OUT(at::gather(T(a), dim, T(idx))); DC_CATCH }
int dc_scatter(dc_tensor a, int64_t dim, dc_tensor idx, dc_tensor src, int add, dc_tensor* out) {
  DC_TRY DC_OUT(add ? at::scatter_add(T(a), dim, T(idx), T(src)) : at::scatter(T(a), dim, T(idx), T(src))); DC_CATCH
}
int dc_masked_select(dc_tensor a, dc_tensor mask, dc_tensor* out) { DC_TRY DC_OUT(at::masked_select(T(a), T(mask))); DC_CATCH }
int dc_index_put_bool_(dc_tensor a, dc_tensor mask, dc_tensor values) {
  DC_TRY
  T(a).index_put_({at::indexing::TensorIndex(T(mask))}, T(values));
  DC_CATCH
}
int dc_one_hot(dc_tensor idx, int64_t n, dc_tensor* out) { DC_TRY DC_OUT(at::one_hot(T(idx), n)); DC_CATCH }
int dc_embedding(dc_tensor weight, dc_tensor idx, dc_tensor* out) { DC_TRY DC_OUT(at::embedding(T(weight), T(idx))); DC_CATCH }

}  // extern "C"
