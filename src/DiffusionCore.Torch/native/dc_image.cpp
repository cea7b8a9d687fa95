// Image codecs: PNG through libpng's simplified API, JPEG through libjpeg(-turbo). Decoding is byte work done by the
// codec libraries; the HWC → CHW reordering is done by libtorch. Both libraries report errors through longjmp, so the
// functions that call them hold only trivially destructible locals between setjmp and the library calls, and the
// C++ objects they fill (std::vector) live in the caller's frame. No exception and no longjmp crosses extern "C".
#include "dc_common.h"

#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

namespace {

[[noreturn]] void fail(const std::string& message) {
  throw c10::ValueError({__func__, __FILE__, __LINE__}, message);
}

bool is_png(const uint8_t* d, int64_t n) {
  static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  return n >= 8 && std::memcmp(d, sig, 8) == 0;
}

bool is_jpeg(const uint8_t* d, int64_t n) { return n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF; }

// Refuse to decode more than 1 GiB of pixels: a corrupt or hostile header must not exhaust memory.
constexpr size_t kMaxDecodedBytes = size_t{1} << 30;

struct Decoded {
  std::vector<uint8_t> pixels;  // HWC interleaved
  int width = 0, height = 0, channels = 0;
};

// ---- PNG (libpng simplified API: no setjmp needed, errors come back in image.message) ----
void decode_png(const uint8_t* data, int64_t n, Decoded& out) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, data, static_cast<size_t>(n))) {
    fail(std::string("invalid PNG: ") + image.message);
  }
  bool color = (image.format & PNG_FORMAT_FLAG_COLOR) != 0;
  bool alpha = (image.format & PNG_FORMAT_FLAG_ALPHA) != 0;
  image.format = color ? (alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB) : (alpha ? PNG_FORMAT_GA : PNG_FORMAT_GRAY);
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.channels = static_cast<int>(PNG_IMAGE_PIXEL_CHANNELS(image.format));
  if (PNG_IMAGE_SIZE(image) > kMaxDecodedBytes) {
    png_image_free(&image);
    fail("the PNG is too large to decode (" + std::to_string(out.width) + " x " + std::to_string(out.height) + ")");
  }
  try {
    out.pixels.resize(PNG_IMAGE_SIZE(image));
  } catch (...) {
    png_image_free(&image);
    throw;
  }
  if (!png_image_finish_read(&image, nullptr, out.pixels.data(), 0, nullptr)) {
    std::string message = image.message;
    png_image_free(&image);
    fail("invalid PNG: " + message);
  }
}

// ---- JPEG (libjpeg: error_exit must not return, so it longjmps back here) ----
struct JpegError {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_error_exit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// libjpeg reports corrupt or truncated data as a warning (level −1) and carries on with grey blocks; treat it as an
// error so a damaged file is reported instead of silently decoded. Only stray bytes between markers (common in files
// from some cameras and harmless) are tolerated.
void jpeg_emit_message(j_common_ptr cinfo, int level) {
  if (level < 0 && cinfo->err->msg_code != JWRN_EXTRANEOUS_DATA) jpeg_error_exit(cinfo);
}

// Returns an empty string on success, else the libjpeg message. Holds only trivially destructible locals.
const char* decode_jpeg_raw(const uint8_t* data, int64_t n, std::vector<uint8_t>* pixels, int* w, int* h, int* c,
                            JpegError* err, jpeg_decompress_struct* cinfo) {
  cinfo->err = jpeg_std_error(&err->pub);
  err->pub.error_exit = jpeg_error_exit;
  err->pub.emit_message = jpeg_emit_message;
  err->message[0] = '\0';
  if (setjmp(err->jump)) {
    jpeg_destroy_decompress(cinfo);
    return err->message;
  }
  jpeg_create_decompress(cinfo);
  jpeg_mem_src(cinfo, data, static_cast<unsigned long>(n));
  jpeg_read_header(cinfo, TRUE);
  if (cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK) {
    std::snprintf(err->message, sizeof err->message, "CMYK/YCCK JPEGs are not supported; convert the file to RGB");
    jpeg_destroy_decompress(cinfo);
    return err->message;
  }
  cinfo->out_color_space = cinfo->num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(cinfo);
  *w = static_cast<int>(cinfo->output_width);
  *h = static_cast<int>(cinfo->output_height);
  *c = cinfo->output_components;
  size_t stride = static_cast<size_t>(*w) * static_cast<size_t>(*c);
  size_t bytes = stride * static_cast<size_t>(*h);
  if (bytes > kMaxDecodedBytes) {
    std::snprintf(err->message, sizeof err->message, "the image is too large to decode (%d x %d)", *w, *h);
    jpeg_destroy_decompress(cinfo);
    return err->message;
  }
  try {
    pixels->resize(bytes);
  } catch (...) {
    jpeg_destroy_decompress(cinfo);
    throw;
  }
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = pixels->data() + stride * cinfo->output_scanline;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  jpeg_destroy_decompress(cinfo);
  return err->message;
}

void decode_jpeg(const uint8_t* data, int64_t n, Decoded& out) {
  JpegError err;
  jpeg_decompress_struct cinfo;
  std::memset(&cinfo, 0, sizeof cinfo);
  const char* message = decode_jpeg_raw(data, n, &out.pixels, &out.width, &out.height, &out.channels, &err, &cinfo);
  if (message[0] != '\0') fail(std::string("invalid JPEG: ") + message);
}

at::Tensor to_chw(Decoded& d) {
  auto hwc = at::from_blob(d.pixels.data(), {d.height, d.width, d.channels}, at::kByte);
  // clone, not contiguous(): for one channel the permuted view already counts as contiguous and would still point
  // into d.pixels, which dies with the caller.
  return hwc.permute({2, 0, 1}).clone(at::MemoryFormat::Contiguous);
}

// A uint8 [C, H, W] CPU tensor as contiguous HWC bytes.
at::Tensor to_hwc(const at::Tensor& t, int min_c, int max_c) {
  if (t.dim() != 3) fail("image encoding expects a [C, H, W] tensor; got " + std::to_string(t.dim()) + " dimensions");
  if (t.scalar_type() != at::kByte) fail("image encoding expects a uint8 tensor; convert first (e.g. x.Clamp(0, 255).To(UInt8))");
  int64_t c = t.size(0);
  if (c < min_c || c > max_c) {
    fail("image encoding supports " + std::to_string(min_c) + " to " + std::to_string(max_c) + " channels; got " + std::to_string(c));
  }
  if (t.size(1) <= 0 || t.size(2) <= 0 || t.size(1) > 65535 || t.size(2) > 65535) fail("image size must be 1 to 65535 pixels per side");
  return t.to(at::kCPU).permute({1, 2, 0}).contiguous();
}

}  // namespace

int dc_image_decode(const uint8_t* data, int64_t nbytes, dc_tensor* out) {
  DC_TRY
  if (data == nullptr || nbytes <= 0) fail("the image data is empty");
  Decoded d;
  if (is_png(data, nbytes)) decode_png(data, nbytes, d);
  else if (is_jpeg(data, nbytes)) decode_jpeg(data, nbytes, d);
  else fail("not a PNG or JPEG file (unrecognised signature)");
  DC_OUT(to_chw(d));
  DC_CATCH
}

int dc_image_encode_png(dc_tensor t, uint8_t** out_data, int64_t* out_nbytes) {
  DC_TRY
  *out_data = nullptr;
  *out_nbytes = 0;
  at::Tensor hwc = to_hwc(dc::T(t), 1, 4);
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(hwc.size(1));
  image.height = static_cast<png_uint_32>(hwc.size(0));
  static const png_uint_32 formats[] = {0, PNG_FORMAT_GRAY, PNG_FORMAT_GA, PNG_FORMAT_RGB, PNG_FORMAT_RGBA};
  image.format = formats[hwc.size(2)];
  png_alloc_size_t size = 0;
  if (!png_image_write_get_memory_size(image, size, 0, hwc.data_ptr(), 0, nullptr)) {
    fail(std::string("PNG encoding failed: ") + image.message);
  }
  auto* buffer = static_cast<uint8_t*>(std::malloc(size));
  if (buffer == nullptr) throw std::bad_alloc();
  if (!png_image_write_to_memory(&image, buffer, &size, 0, hwc.data_ptr(), 0, nullptr)) {
    std::free(buffer);
    fail(std::string("PNG encoding failed: ") + image.message);
  }
  *out_data = buffer;
  *out_nbytes = static_cast<int64_t>(size);
  DC_CATCH
}

namespace {

// Returns an empty string on success; *buffer is malloc'ed by libjpeg's memory destination.
const char* encode_jpeg_raw(const uint8_t* pixels, int w, int h, int c, int quality, unsigned char** buffer,
                            unsigned long* size, JpegError* err, jpeg_compress_struct* cinfo) {
  cinfo->err = jpeg_std_error(&err->pub);
  err->pub.error_exit = jpeg_error_exit;
  err->message[0] = '\0';
  if (setjmp(err->jump)) {
    jpeg_destroy_compress(cinfo);
    return err->message;
  }
  jpeg_create_compress(cinfo);
  jpeg_mem_dest(cinfo, buffer, size);
  cinfo->image_width = static_cast<JDIMENSION>(w);
  cinfo->image_height = static_cast<JDIMENSION>(h);
  cinfo->input_components = c;
  cinfo->in_color_space = c == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(cinfo);
  jpeg_set_quality(cinfo, quality, TRUE);
  jpeg_start_compress(cinfo, TRUE);
  size_t stride = static_cast<size_t>(w) * static_cast<size_t>(c);
  while (cinfo->next_scanline < cinfo->image_height) {
    JSAMPROW row = const_cast<uint8_t*>(pixels) + stride * cinfo->next_scanline;
    jpeg_write_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_compress(cinfo);
  jpeg_destroy_compress(cinfo);
  return err->message;
}

}  // namespace

int dc_image_encode_jpeg(dc_tensor t, int quality, uint8_t** out_data, int64_t* out_nbytes) {
  DC_TRY
  *out_data = nullptr;
  *out_nbytes = 0;
  if (quality < 1 || quality > 100) fail("JPEG quality must be 1 to 100; got " + std::to_string(quality));
  at::Tensor hwc = to_hwc(dc::T(t), 1, 3);
  if (hwc.size(2) == 2) fail("JPEG cannot hold grey+alpha; drop the alpha channel first");
  JpegError err;
  jpeg_compress_struct cinfo;
  std::memset(&cinfo, 0, sizeof cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  const char* message = encode_jpeg_raw(hwc.data_ptr<uint8_t>(), static_cast<int>(hwc.size(1)), static_cast<int>(hwc.size(0)),
                                        static_cast<int>(hwc.size(2)), quality, &buffer, &size, &err, &cinfo);
  if (message[0] != '\0') {
    std::free(buffer);
    fail(std::string("JPEG encoding failed: ") + message);
  }
  *out_data = buffer;
  *out_nbytes = static_cast<int64_t>(size);
  DC_CATCH
}

void dc_image_buffer_free(uint8_t* data) { std::free(data); }
