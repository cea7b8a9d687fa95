// Neural-network functional ops: convolution, pooling, resampling, padding, normalisation, attention, warping.
#include "dc_common.h"

#include <cmath>
#include <limits>

#include <torch/csrc/api/include/torch/version.h>

using dc::T;

extern "C" {

int dc_conv2d(dc_tensor x, dc_tensor w, dc_tensor b, const int64_t* stride, const int64_t* padding, const int64_t* dilation,
              int64_t groups, dc_tensor* out) {
  DC_TRY
  auto op = [&](const at::Tensor& i, const at::Tensor& k, const c10::optional<at::Tensor>& bias) {
    return at::conv2d(i, k, bias, dc::ints(stride, 2), dc::ints(padding, 2), dc::ints(dilation, 2), groups);
  };
  at::ScalarType st;
  if (dc::reduced_precision_active(st) && dc::lowp_eligible(T(x), T(w)) && T(x).dim() == 4 && T(x).is_cpu()) {
    // oneDNN's bfloat16 convolutions are faster on channels-last (NHWC) activations: the input is cast and laid out
    // in one copy, the output keeps NHWC, and so do the elementwise ops after it up to the next convolution (whose
    // input then needs no relayout). Float32 convolutions keep the caller's layout: NHWC measured no faster there
    // (benchmarks/results/2026-11-22.md).
    DC_OUT(op(T(x).to(st, false, false, at::MemoryFormat::ChannelsLast), T(w).to(st), dc::lowp_in(dc::opt(b), st)).to(at::kFloat));
  } else {
    DC_OUT(dc::with_matmul_precision(T(x), T(w), dc::opt(b), op));
  }
  DC_CATCH
}

int dc_conv_transpose2d(dc_tensor x, dc_tensor w, dc_tensor b, const int64_t* stride, const int64_t* padding,
                        const int64_t* output_padding, int64_t groups, const int64_t* dilation, dc_tensor* out) {
  DC_TRY
  auto op = [&](const at::Tensor& i, const at::Tensor& k, const c10::optional<at::Tensor>& bias) {
    return at::conv_transpose2d(i, k, bias, dc::ints(stride, 2), dc::ints(padding, 2), dc::ints(output_padding, 2), groups,
                                dc::ints(dilation, 2));
  };
  // libtorch 1.13's CPU kernel rejects bfloat16 transposed convolutions (it checks the weight as a forward conv's:
  // "expected input[...] to have 4 channels"), so there they stay float32 under a reduced matmul precision.
  if (TORCH_VERSION_MAJOR < 2 && T(x).is_cpu()) {
    DC_OUT(op(T(x), T(w), dc::opt(b)));
  } else {
    DC_OUT(dc::with_matmul_precision(T(x), T(w), dc::opt(b), op));
  }
  DC_CATCH
}

int dc_pool2d(int kind, dc_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding, dc_tensor* out) {
  DC_TRY
  if (kind == 0) DC_OUT(at::avg_pool2d(T(x), dc::ints(kernel, 2), dc::ints(stride, 2), dc::ints(padding, 2)));
  else DC_OUT(at::max_pool2d(T(x), dc::ints(kernel, 2), dc::ints(stride, 2), dc::ints(padding, 2)));
  DC_CATCH
}

int dc_interpolate(dc_tensor x, int mode, const int64_t* size, double scale_h, double scale_w, int align_corners, dc_tensor* out) {
  DC_TRY
  at::OptionalIntArrayRef osize = size[0] > 0 ? at::OptionalIntArrayRef(dc::ints(size, 2)) : at::OptionalIntArrayRef();
  std::vector<double> scales{scale_h, scale_w};
  c10::optional<at::ArrayRef<double>> sf = size[0] > 0 ? c10::nullopt : c10::optional<at::ArrayRef<double>>(scales);
  if (mode == 0) DC_OUT(at::upsample_nearest2d(T(x), osize, sf));
  else if (mode == 1) DC_OUT(at::upsample_bilinear2d(T(x), osize, align_corners != 0, sf));
  else if (mode == 2) {
    // torch.nn.functional.interpolate(mode="area") is adaptive average pooling to the output size.
    if (size[0] <= 0) throw c10::ValueError({__func__, __FILE__, __LINE__}, "interpolate: area mode needs an output size");
    DC_OUT(at::adaptive_avg_pool2d(T(x), dc::ints(size, 2)));
  }
  else throw c10::ValueError({__func__, __FILE__, __LINE__}, "interpolate: unknown mode " + std::to_string(mode));
  DC_CATCH
}

int dc_pad(dc_tensor x, const int64_t* pads, int n, int mode, double value, dc_tensor* out) {
  DC_TRY
  static const char* names[] = {"constant", "reflect", "replicate", "circular"};
  if (mode < 0 || mode > 3) throw c10::ValueError({__func__, __FILE__, __LINE__}, "pad: unknown mode " + std::to_string(mode));
  c10::optional<double> v = mode == 0 ? c10::optional<double>(value) : c10::nullopt;
  DC_OUT(at::pad(T(x), dc::ints(pads, n), names[mode], v));
  DC_CATCH
}

int dc_group_norm(dc_tensor x, int64_t groups, dc_tensor w, dc_tensor b, double eps, dc_tensor* out) {
  DC_TRY DC_OUT(at::group_norm(T(x), groups, dc::opt(w), dc::opt(b), eps)); DC_CATCH
}

int dc_layer_norm(dc_tensor x, const int64_t* shape, int ndim, dc_tensor w, dc_tensor b, double eps, dc_tensor* out) {
  DC_TRY DC_OUT(at::layer_norm(T(x), dc::ints(shape, ndim), dc::opt(w), dc::opt(b), eps)); DC_CATCH
}

int dc_sdpa(dc_tensor q, dc_tensor k, dc_tensor v, dc_tensor mask, int causal, dc_tensor* out) {
  DC_TRY
  at::ScalarType st;
  if (dc::reduced_precision_active(st) && dc::lowp_eligible(T(q), T(k)) && T(v).scalar_type() == at::kFloat) {
    // Reduced matmul precision: both products in bfloat16/float16, the softmax (and the mask) in float32
    // (softmax(q kᵀ / √d + mask) v, Vaswani et al. 2017, eq. 1).
    const double scale = 1.0 / std::sqrt(static_cast<double>(T(q).size(-1)));
    auto scores = at::matmul(T(q).to(st), T(k).to(st).transpose(-2, -1)).to(at::kFloat).mul_(scale);
    if (causal != 0) {
      auto keep = at::ones({scores.size(-2), scores.size(-1)}, scores.options().dtype(at::kBool)).tril();
      scores = scores.masked_fill(keep.logical_not(), -std::numeric_limits<float>::infinity());
    }
    auto m = dc::opt(mask);
    if (m.has_value()) {
      scores = m->scalar_type() == at::kBool ? scores.masked_fill(m->logical_not(), -std::numeric_limits<float>::infinity())
                                             : scores + *m;
    }
    DC_OUT(at::matmul(at::softmax(scores, -1).to(st), T(v).to(st)).to(at::kFloat));
    return DC_OK;
  }
#if TORCH_VERSION_MAJOR >= 2
  DC_OUT(at::scaled_dot_product_attention(T(q), T(k), T(v), dc::opt(mask), 0.0, causal != 0));
#else
  DC_OUT(std::get<0>(at::_scaled_dot_product_attention(T(q), T(k), T(v), dc::opt(mask), 0.0, false, causal != 0)));
#endif
  DC_CATCH
}

int dc_affine_grid(dc_tensor theta, const int64_t* size, int ndim, int align_corners, dc_tensor* out) {
  DC_TRY DC_OUT(at::affine_grid_generator(T(theta), dc::ints(size, ndim), align_corners != 0)); DC_CATCH
}

int dc_grid_sample(dc_tensor x, dc_tensor grid, int mode, int padding, int align_corners, dc_tensor* out) {
  DC_TRY DC_OUT(at::grid_sampler(T(x), T(grid), mode, padding, align_corners != 0)); DC_CATCH
}

}  // extern "C"
