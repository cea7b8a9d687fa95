// DiffusionCore native shim: the C ABI between DiffusionCore.Torch (C#) and libtorch.
//
// Rules (see docs/architecture.md, "ABI rules"):
//  * Every function returns a status: 0 on success, a DC_ERR_* kind on failure. The message of the last
//    failure on the calling thread is read with dc_last_error_message(); it never carries a C++ backtrace.
//  * No C++ exception crosses extern "C": every body runs inside DC_TRY/DC_CATCH.
//  * Tensors cross as opaque dc_tensor handles (heap at::Tensor*); the caller owns every handle it receives
//    and frees it with dc_tensor_free. Scalars cross as double/int64_t, shapes as pointer + rank.
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DC_API __attribute__((visibility("default")))
// 7: the image codecs (dc_image_*) left the shim for DiffusionCore.Data; 8: dc_tensor_data_ptr (safetensors read into
// tensor storage); 9: c10d process groups (dc_store_*, dc_pg_*).
#define DC_ABI_VERSION 9

typedef void* dc_tensor;
typedef void* dc_generator;
typedef void* dc_store;
typedef void* dc_process_group;

enum dc_error_kind {
  DC_OK = 0,
  DC_ERR_GENERIC = 1,
  DC_ERR_VALUE = 2,          // c10::ValueError and generic argument checks
  DC_ERR_TYPE = 3,           // c10::TypeError, dtype mismatches
  DC_ERR_INDEX = 4,          // c10::IndexError
  DC_ERR_NOT_IMPLEMENTED = 5,// c10::NotImplementedError, missing kernels for a dtype/device
  DC_ERR_OUT_OF_MEMORY = 6,  // c10::OutOfMemoryError, std::bad_alloc
  DC_ERR_SHAPE = 7,          // size/shape mismatch reported by a TORCH_CHECK
  DC_ERR_LINALG = 8,         // c10::LinAlgError
  DC_ERR_NULL_ARGUMENT = 9,  // a required handle was null
  DC_ERR_DISTRIBUTED = 10,   // a collective or rendezvous failed: a peer exited or a connection broke (ABI 9)
  DC_ERR_TIMEOUT = 11,       // a rendezvous or collective did not complete within the group's timeout (ABI 9)
  DC_ERR_MISMATCH = 12       // ranks called a collective with different tensors, roots or operations (ABI 9)
};

// ---- library ----
DC_API int dc_abi_version(void);
DC_API const char* dc_torch_version(void);
DC_API int dc_cuda_available(void);
DC_API int dc_cuda_device_count(void);
DC_API const char* dc_last_error_message(void);
DC_API int dc_set_num_threads(int n);
DC_API int dc_get_num_threads(int* out);
DC_API int64_t dc_live_tensors(void);
// glibc only: mallopt(M_MMAP_THRESHOLD / M_TRIM_THRESHOLD) so freed activations stay in the process; *applied = 1 if set.
DC_API int dc_tune_allocator(int64_t mmap_threshold, int64_t trim_threshold, int* applied);

// ---- tensor lifecycle and queries ----
DC_API void dc_tensor_free(dc_tensor t);
DC_API int dc_tensor_ndim(dc_tensor t, int* out);
DC_API int dc_tensor_sizes(dc_tensor t, int64_t* buf, int cap);
DC_API int dc_tensor_strides(dc_tensor t, int64_t* buf, int cap);
DC_API int dc_tensor_dtype(dc_tensor t, int* out);
DC_API int dc_tensor_device(dc_tensor t, int* type, int* index);
DC_API int dc_tensor_numel(dc_tensor t, int64_t* out);
DC_API int dc_tensor_is_contiguous(dc_tensor t, int memory_format, int* out);
DC_API int dc_tensor_item_double(dc_tensor t, double* out);
DC_API int dc_tensor_item_int64(dc_tensor t, int64_t* out);
DC_API int dc_tensor_to_host(dc_tensor t, void* dst, int64_t nbytes);
DC_API int dc_tensor_from_host(const void* src, int64_t nbytes, const int64_t* shape, int ndim, int dtype, dc_tensor* out);
DC_API int dc_tensor_shallow_clone(dc_tensor t, dc_tensor* out);
// The address of the first element of a contiguous CPU tensor (for reading a file straight into a new tensor's
// storage; ABI 8). DC_ERR_VALUE for other devices and for non-contiguous tensors.
DC_API int dc_tensor_data_ptr(dc_tensor t, void** out);

// ---- creation ----
// kind: 0 zeros, 1 ones, 2 empty
DC_API int dc_fill_new(int kind, const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index, dc_tensor* out);
DC_API int dc_full(const int64_t* shape, int ndim, double value, int dtype, int dev_type, int dev_index, dc_tensor* out);
DC_API int dc_arange(double start, double end, double step, int dtype, int dev_type, int dev_index, dc_tensor* out);
DC_API int dc_linspace(double start, double end, int64_t steps, int dtype, int dev_type, int dev_index, dc_tensor* out);
DC_API int dc_eye(int64_t n, int dtype, int dev_type, int dev_index, dc_tensor* out);
// like-kind: 0 zeros_like, 1 ones_like, 2 empty_like
DC_API int dc_fill_like(int kind, dc_tensor t, dc_tensor* out);

// ---- random (explicit generator always) ----
DC_API int dc_generator_new(uint64_t seed, int dev_type, int dev_index, dc_generator* out);
DC_API void dc_generator_free(dc_generator g);
DC_API int dc_generator_seed(dc_generator g, uint64_t seed);
DC_API int dc_generator_initial_seed(dc_generator g, uint64_t* out);
DC_API int dc_generator_get_state(dc_generator g, dc_tensor* out);
DC_API int dc_generator_set_state(dc_generator g, dc_tensor state);
// kind: 0 randn (a=mean,b=std), 1 rand U[a,b), 2 randint [a,b)
DC_API int dc_random_new(int kind, const int64_t* shape, int ndim, double a, double b, dc_generator g, int dtype, int dev_type, int dev_index, dc_tensor* out);
// in place: 0 normal_(a,b), 1 uniform_(a,b), 2 bernoulli_(p=a)
DC_API int dc_random_(int kind, dc_tensor t, double a, double b, dc_generator g);
DC_API int dc_bernoulli(dc_tensor probs, dc_generator g, dc_tensor* out);
DC_API int dc_randperm(int64_t n, dc_generator g, int dev_type, int dev_index, dc_tensor* out);
DC_API int dc_multinomial(dc_tensor probs, int64_t n, int replacement, dc_generator g, dc_tensor* out);

// ---- conversion and layout ----
DC_API int dc_to(dc_tensor t, int dtype, int dev_type, int dev_index, int copy, dc_tensor* out);
DC_API int dc_contiguous(dc_tensor t, int memory_format, dc_tensor* out);

// ---- elementwise ----
DC_API int dc_unary(int op, dc_tensor a, dc_tensor* out);
DC_API int dc_unary_(int op, dc_tensor a);
DC_API int dc_binary(int op, dc_tensor a, dc_tensor b, dc_tensor* out);
DC_API int dc_binary_(int op, dc_tensor a, dc_tensor b);
DC_API int dc_binary_scalar(int op, dc_tensor a, double s, int is_int, dc_tensor* out);
DC_API int dc_binary_scalar_(int op, dc_tensor a, double s, int is_int);
DC_API int dc_add_scaled(dc_tensor a, dc_tensor b, double alpha, dc_tensor* out);
DC_API int dc_add_scaled_(dc_tensor a, dc_tensor b, double alpha);
DC_API int dc_clamp(dc_tensor a, double lo, double hi, int has_lo, int has_hi, dc_tensor* out);
DC_API int dc_clamp_(dc_tensor a, double lo, double hi, int has_lo, int has_hi);
// at::hardtanh: the values of clamp(a, lo, hi), with one fused backward kernel (hardtanh_backward) instead of
// clamp's ge/le/logical_and/where (ABI 6).
DC_API int dc_hardtanh(dc_tensor a, double lo, double hi, dc_tensor* out);
DC_API int dc_where(dc_tensor cond, dc_tensor a, dc_tensor b, dc_tensor* out);
DC_API int dc_lerp(dc_tensor a, dc_tensor b, dc_tensor w, double ws, dc_tensor* out);
DC_API int dc_lerp_(dc_tensor a, dc_tensor b, dc_tensor w, double ws);
DC_API int dc_nan_to_num(dc_tensor a, double nan, double posinf, double neginf, int inplace, dc_tensor* out);
DC_API int dc_gelu(dc_tensor a, int tanh_approx, dc_tensor* out);
DC_API int dc_softmax(dc_tensor a, int64_t dim, int log, dc_tensor* out);
DC_API int dc_copy_(dc_tensor dst, dc_tensor src);
DC_API int dc_masked_fill(dc_tensor a, dc_tensor mask, double value, int inplace, dc_tensor* out);
DC_API int dc_addcmul_(dc_tensor a, dc_tensor b, dc_tensor c, double value);
DC_API int dc_addcdiv_(dc_tensor a, dc_tensor b, dc_tensor c, double value);

// ---- reductions ----
// op: 0 sum, 1 mean, 2 amax, 3 amin, 4 prod, 5 logsumexp, 6 all, 7 any
DC_API int dc_reduce(int op, dc_tensor a, const int64_t* dims, int ndims, int keepdim, dc_tensor* out);
DC_API int dc_var(dc_tensor a, const int64_t* dims, int ndims, int64_t correction, int keepdim, int std, dc_tensor* out);
DC_API int dc_norm(dc_tensor a, double p, const int64_t* dims, int ndims, int keepdim, dc_tensor* out);
// op: 0 max, 1 min over dim -> values, indices; argmax/argmin use only indices
DC_API int dc_max_dim(int op, dc_tensor a, int64_t dim, int keepdim, dc_tensor* values, dc_tensor* indices);
DC_API int dc_cumsum(dc_tensor a, int64_t dim, dc_tensor* out);

// ---- linear algebra ----
DC_API int dc_matmul(dc_tensor a, dc_tensor b, dc_tensor* out);
DC_API int dc_bmm(dc_tensor a, dc_tensor b, dc_tensor* out);
DC_API int dc_linear(dc_tensor x, dc_tensor w, dc_tensor b, dc_tensor* out);
DC_API int dc_einsum(const char* eq, const dc_tensor* ts, int n, dc_tensor* out);

// ---- shape ----
DC_API int dc_reshape(dc_tensor a, const int64_t* shape, int ndim, dc_tensor* out);
DC_API int dc_view(dc_tensor a, const int64_t* shape, int ndim, dc_tensor* out);
DC_API int dc_expand(dc_tensor a, const int64_t* shape, int ndim, dc_tensor* out);
DC_API int dc_repeat(dc_tensor a, const int64_t* shape, int ndim, dc_tensor* out);
DC_API int dc_permute(dc_tensor a, const int64_t* dims, int ndim, dc_tensor* out);
DC_API int dc_flip(dc_tensor a, const int64_t* dims, int ndim, dc_tensor* out);
DC_API int dc_roll(dc_tensor a, const int64_t* shifts, const int64_t* dims, int n, dc_tensor* out);
DC_API int dc_transpose(dc_tensor a, int64_t d0, int64_t d1, dc_tensor* out);
DC_API int dc_flatten(dc_tensor a, int64_t start, int64_t end, dc_tensor* out);
DC_API int dc_unsqueeze(dc_tensor a, int64_t dim, dc_tensor* out);
// dim == INT64_MIN squeezes all size-1 dims
DC_API int dc_squeeze(dc_tensor a, int64_t dim, dc_tensor* out);
DC_API int dc_narrow(dc_tensor a, int64_t dim, int64_t start, int64_t length, dc_tensor* out);
DC_API int dc_select(dc_tensor a, int64_t dim, int64_t index, dc_tensor* out);
DC_API int dc_cat(const dc_tensor* ts, int n, int64_t dim, int stack, dc_tensor* out);
// split into sizes (n sizes) or, when n == 1 and chunk != 0, into `chunk` chunks; returns count in *count
DC_API int dc_split(dc_tensor a, const int64_t* sizes, int n, int64_t chunks, int64_t dim, dc_tensor* outs, int cap, int* count);

// ---- indexing ----
DC_API int dc_index_select(dc_tensor a, int64_t dim, dc_tensor idx, dc_tensor* out);
DC_API int dc_gather(dc_tensor a, int64_t dim, dc_tensor idx, dc_tensor* out);
DC_API int dc_scatter(dc_tensor a, int64_t dim, dc_tensor idx, dc_tensor src, int add, dc_tensor* out);
DC_API int dc_masked_select(dc_tensor a, dc_tensor mask, dc_tensor* out);
DC_API int dc_index_put_bool_(dc_tensor a, dc_tensor mask, dc_tensor values);
DC_API int dc_one_hot(dc_tensor idx, int64_t n, dc_tensor* out);
DC_API int dc_embedding(dc_tensor weight, dc_tensor idx, dc_tensor* out);

// ---- neural network functions ----
DC_API int dc_conv2d(dc_tensor x, dc_tensor w, dc_tensor b, const int64_t* stride, const int64_t* padding, const int64_t* dilation, int64_t groups, dc_tensor* out);
DC_API int dc_conv_transpose2d(dc_tensor x, dc_tensor w, dc_tensor b, const int64_t* stride, const int64_t* padding, const int64_t* output_padding, int64_t groups, const int64_t* dilation, dc_tensor* out);
// kind 0 avg, 1 max
DC_API int dc_pool2d(int kind, dc_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding, dc_tensor* out);
// mode 0 nearest, 1 bilinear; size or scale (size[0] <= 0 means use scale)
DC_API int dc_interpolate(dc_tensor x, int mode, const int64_t* size, double scale_h, double scale_w, int align_corners, dc_tensor* out);
// mode 0 constant, 1 reflect, 2 replicate, 3 circular
DC_API int dc_pad(dc_tensor x, const int64_t* pads, int n, int mode, double value, dc_tensor* out);
DC_API int dc_group_norm(dc_tensor x, int64_t groups, dc_tensor w, dc_tensor b, double eps, dc_tensor* out);
DC_API int dc_layer_norm(dc_tensor x, const int64_t* shape, int ndim, dc_tensor w, dc_tensor b, double eps, dc_tensor* out);
DC_API int dc_sdpa(dc_tensor q, dc_tensor k, dc_tensor v, dc_tensor mask, int causal, dc_tensor* out);
DC_API int dc_affine_grid(dc_tensor theta, const int64_t* size, int ndim, int align_corners, dc_tensor* out);
// mode 0 bilinear, 1 nearest, 2 bicubic; padding 0 zeros, 1 border, 2 reflection
DC_API int dc_grid_sample(dc_tensor x, dc_tensor grid, int mode, int padding, int align_corners, dc_tensor* out);

// ---- autograd ----
DC_API int dc_requires_grad(dc_tensor t, int* out);
DC_API int dc_set_requires_grad(dc_tensor t, int value);
DC_API int dc_is_leaf(dc_tensor t, int* out);
DC_API int dc_backward(dc_tensor t, dc_tensor grad, int retain_graph, int create_graph);
DC_API int dc_grad(dc_tensor t, dc_tensor* out);
DC_API int dc_set_grad(dc_tensor t, dc_tensor grad);
DC_API int dc_detach(dc_tensor t, int inplace, dc_tensor* out);
DC_API int dc_autograd_grad(const dc_tensor* outputs, int n_out, const dc_tensor* inputs, int n_in, const dc_tensor* grad_outputs, int retain_graph, int create_graph, int allow_unused, dc_tensor* results);
DC_API int dc_grad_mode_enabled(int* out);
DC_API int dc_set_grad_mode(int enabled);
DC_API int dc_inference_mode_enter(void** guard);
DC_API int dc_inference_mode_exit(void* guard);
DC_API int dc_autocast_enter(int dev_type, int dtype, int enabled, void** state);
DC_API int dc_autocast_exit(void* state);

// ---- gradient utilities (run under no-grad; one call for all parameters) ----
DC_API int dc_grads_nan_to_num_(const dc_tensor* params, int n);
DC_API int dc_clip_grad_norm_(const dc_tensor* params, int n, double max_norm, double norm_type, double* total_norm);
DC_API int dc_zero_grad(const dc_tensor* params, int n);

// ---- nn.Module parameter maintenance ----
// Replaces the data of t by data's (dtype, device, storage) while t keeps its identity and autograd metadata
// (torch.Tensor.data = data, as nn.Module._apply does for .to()).
DC_API int dc_tensor_set_data(dc_tensor t, dc_tensor data);

// ---- optimizer steps with lazily created per-parameter state (torch.optim semantics) ----
// State arrays are in/out: a null entry is created when its parameter first has a gradient and the caller owns it;
// steps[i] is parameter i's own step count, advanced only when it has a gradient. Parameters without gradient are
// skipped. max_exp_avg_sq is read only when amsgrad != 0.
DC_API int dc_adam_step_lazy(const dc_tensor* params, dc_tensor* exp_avg, dc_tensor* exp_avg_sq, dc_tensor* max_exp_avg_sq,
                             int64_t* steps, int n, double lr, double beta1, double beta2, double eps, double weight_decay,
                             int decoupled, int amsgrad, int maximize);
// momentum_buf is in/out: a null entry becomes a clone of the (decayed) gradient on its parameter's first update.
DC_API int dc_sgd_step_lazy(const dc_tensor* params, dc_tensor* momentum_buf, int n, double lr, double momentum,
                            double dampening, double weight_decay, int nesterov, int maximize);

// ---- reduced-precision matrix products, CPU capabilities, native-time profile (dc_precision.cpp) ----
// dtype -1 turns it off; bfloat16 or float16: on the calling thread, conv2d, conv_transpose2d, linear, matmul, bmm,
// einsum and sdpa with float32 operands compute in that dtype and return float32 (autograd casts gradients back).
// conv_transpose2d stays float32 on the CPU with libtorch 1.x (its CPU kernel rejects bfloat16 transposed convs).
DC_API int dc_set_matmul_precision(int dtype);
DC_API int dc_get_matmul_precision(int* out);
// Bit 0 AVX512-BF16, bit 1 AMX-BF16, bit 2 AVX512F, bit 3 OS saves AMX tile state, bit 4 ATen's AVX512 kernels can
// run (AVX2, AVX512 F/BW/DQ/VL, FMA, OS saves ZMM state; ABI 6); 0 on non-x86 CPUs.
DC_API int dc_cpu_capabilities(int* out);
// Sets ATEN_CPU_CAPABILITY (e.g. "avx512") unless the process already set it; *applied = 1 when set. Takes effect
// only before libtorch's first kernel dispatch, and libtorch does not check the CPU: check bit 4 above first (ABI 6).
DC_API int dc_select_cpu_kernels(const char* capability, int* applied);
// The kernel level libtorch dispatches to ("NO AVX", "AVX2", "AVX512"), as bytes; *needed is the length, written only
// when capacity >= *needed. Fixes the level for the process if no kernel ran yet (ABI 6).
DC_API int dc_cpu_kernel_capability(char* buffer, int capacity, int* needed);
// Profiling of time spent inside shim calls: enable is process-wide, counters are per calling thread.
DC_API int dc_profile_enable(int enabled);
DC_API int dc_profile_read(int reset, int64_t* native_ns, int64_t* calls);

// ---- operator-level profile (dc_op_profile.cpp, ABI 6) ----
// Counts every libtorch operator and autograd node (RecordFunction events) in all threads: calls, self and total
// nanoseconds, keyed by name and, when record_shapes != 0, by the inputs' dtypes and shapes. One at a time per process.
DC_API int dc_op_profile_start(int record_shapes);
DC_API int dc_op_profile_stop(void);
// The counts of the last (or running) profile as lines "calls\tself_ns\ttotal_ns\tname\tinputs\n" in UTF-8. *needed is
// set to the byte length; the text is written only when capacity >= *needed.
DC_API int dc_op_profile_report(char* buffer, int64_t capacity, int64_t* needed);

// ---- counted CPU tensor memory (dc_memory.cpp) ----
// Installs the counting CPU allocator (glibc only; *installed = 0 elsewhere or when a host registered its own).
DC_API int dc_memory_counter_install(int* installed);
// Bytes held by CPU tensors now, their high-water mark since start or the last reset, and the allocation count.
DC_API int dc_memory_cpu_stats(int64_t* current, int64_t* peak, int64_t* allocations);
// Sets the high-water mark to the bytes held now.
DC_API int dc_memory_cpu_reset_peak(void);

// ---- linear algebra (dc_linalg.cpp) ----
// Symmetric eigendecomposition (torch.linalg.eigh): ascending eigenvalues [..., n] and eigenvectors as columns
// [..., n, n] of the symmetric matrices in a; reads the lower triangle, or the upper one when upper != 0.
DC_API int dc_linalg_eigh(dc_tensor a, int upper, dc_tensor* values, dc_tensor* vectors);

// ---- data-parallel communication over c10d (dc_dist.cpp, ABI 9) ----
// Rendezvous stores. TCP: rank 0 hosts (is_server = 1) on port, every rank connects to host:port; the call returns
// when all world_size ranks have connected, or fails with DC_ERR_TIMEOUT after timeout_ms. File: every rank opens the
// same path (a shared file system). Free with dc_store_free; a process group keeps its store alive.
DC_API int dc_store_tcp_new(const char* host, int port, int is_server, int world_size, int64_t timeout_ms, dc_store* out);
DC_API int dc_store_file_new(const char* path, int world_size, int64_t timeout_ms, dc_store* out);
DC_API void dc_store_free(dc_store s);
// backend: 0 Gloo (CPU tensors), 1 NCCL (CUDA tensors; only in a shim built with DC_WITH_NCCL). *out = 1 when usable.
DC_API int dc_dist_backend_available(int backend, int* out);
// A process group of world_size ranks over the store. Gloo's network device: the interface iface when non-empty, else
// the address of hostname when non-empty, else this machine's hostname (loopback when it does not resolve).
// cuda_device: the NCCL group's CUDA device index. Collectives fail after timeout_ms.
DC_API int dc_pg_new(dc_store store, int rank, int world_size, int backend, int64_t timeout_ms, const char* iface,
                     const char* hostname, int cuda_device, dc_process_group* out);
DC_API void dc_pg_free(dc_process_group g);
// In place over all ranks; op: 0 sum, 1 average (floating point only), 2 min, 3 max. The tensors are flattened into
// buckets of one dtype of at most bucket_bytes (a larger tensor alone), one collective per bucket. Every collective
// first checks that all ranks passed the same count, dtypes and shapes (DC_ERR_MISMATCH otherwise).
DC_API int dc_pg_allreduce(dc_process_group g, const dc_tensor* ts, int n, int op, int64_t bucket_bytes);
// In place: every rank's tensors take root's values (bucketed like dc_pg_allreduce).
DC_API int dc_pg_broadcast(dc_process_group g, const dc_tensor* ts, int n, int root, int64_t bucket_bytes);
// Returns when every rank has reached it.
DC_API int dc_pg_barrier(dc_process_group g);

#ifdef __cplusplus
}
#endif
