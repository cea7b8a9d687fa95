// Neural-network functional ops: convolution, pooling, resampling, padding, normalisation, attention, warping.
#include "dc_common.h"

#include <torch/csrc/api/include/torch/version.h>

using dc::T;

extern "C" {

int dc_conv2d(dc_tensor x, dc_tensor w, dc_tensor b, const int64_t* stride, const int64_t* padding, const int64_t* dilation,
              int64_t groups, dc_tensor* out) {
  DC_TRY
  DC_OUT(at::conv2d(T(x), T(w), dc::opt(b), dc::ints(stride, 2), dc::ints(padding, 2), dc::ints(dilation, 2), groups));
  DC_CATCH
}

int dc_conv_transpose2d(dc_tensor x, dc_tensor w, dc_tensor b, const int64_t* stride, const int64_t* padding,
                        const int64_t* output_padding, int64_t groups, const int64_t* dilation, dc_tensor* out) {
  DC_TRY
  DC_OUT(at::conv_transpose2d(T(x), T(w), dc::opt(b), dc::ints(stride, 2), dc::ints(padding, 2), dc::ints(output_padding, 2),
                              groups, dc::ints(dilation, 2)));
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
