using System.Runtime.InteropServices;

namespace DiffusionCore.Torch.Interop;

/// <summary>
/// The C ABI of the native shim (src/DiffusionCore.Torch/native/dc_shim.h). Every function returns a status code;
/// callers pass it to <see cref="NativeStatus.Check(int)"/>. Resolution of the library itself is done by
/// <see cref="NativeLoader"/>, which names the cause and the fix when loading fails.
/// </summary>
internal static unsafe partial class NativeMethods
{
    internal const string Lib = "diffusioncore_native";

    [LibraryImport(Lib)] internal static partial int dc_abi_version();
    [LibraryImport(Lib)] internal static partial IntPtr dc_torch_version();
    [LibraryImport(Lib)] internal static partial int dc_cuda_available();
    [LibraryImport(Lib)] internal static partial int dc_cuda_device_count();
    [LibraryImport(Lib)] internal static partial IntPtr dc_last_error_message();
    [LibraryImport(Lib)] internal static partial int dc_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int dc_get_num_threads(out int n);
    [LibraryImport(Lib)] internal static partial long dc_live_tensors();
    [LibraryImport(Lib)] internal static partial int dc_memory_cpu_stats(out long current, out long peak, out long allocations);
    [LibraryImport(Lib)] internal static partial int dc_memory_cpu_reset_peak();

    [LibraryImport(Lib)] internal static partial void dc_tensor_free(IntPtr t);
    [LibraryImport(Lib)] internal static partial int dc_tensor_ndim(TensorHandle t, out int ndim);
    [LibraryImport(Lib)] internal static partial int dc_tensor_sizes(TensorHandle t, long* buf, int cap);
    [LibraryImport(Lib)] internal static partial int dc_tensor_strides(TensorHandle t, long* buf, int cap);
    [LibraryImport(Lib)] internal static partial int dc_tensor_dtype(TensorHandle t, out int dtype);
    [LibraryImport(Lib)] internal static partial int dc_tensor_device(TensorHandle t, out int type, out int index);
    [LibraryImport(Lib)] internal static partial int dc_tensor_numel(TensorHandle t, out long n);
    [LibraryImport(Lib)] internal static partial int dc_tensor_is_contiguous(TensorHandle t, int memoryFormat, out int result);
    [LibraryImport(Lib)] internal static partial int dc_tensor_item_double(TensorHandle t, out double v);
    [LibraryImport(Lib)] internal static partial int dc_tensor_item_int64(TensorHandle t, out long v);
    [LibraryImport(Lib)] internal static partial int dc_tensor_to_host(TensorHandle t, void* dst, long nbytes);
    [LibraryImport(Lib)] internal static partial int dc_tensor_from_host(void* src, long nbytes, long* shape, int ndim, int dtype, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_tensor_shallow_clone(TensorHandle t, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_tensor_data_ptr(TensorHandle t, out IntPtr data);

    [LibraryImport(Lib)] internal static partial int dc_fill_new(int kind, long* shape, int ndim, int dtype, int devType, int devIndex, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_full(long* shape, int ndim, double value, int dtype, int devType, int devIndex, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_arange(double start, double end, double step, int dtype, int devType, int devIndex, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_linspace(double start, double end, long steps, int dtype, int devType, int devIndex, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_eye(long n, int dtype, int devType, int devIndex, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_fill_like(int kind, TensorHandle t, out TensorHandle result);

    [LibraryImport(Lib)] internal static partial int dc_generator_new(ulong seed, int devType, int devIndex, out GeneratorHandle result);
    [LibraryImport(Lib)] internal static partial void dc_generator_free(IntPtr g);
    [LibraryImport(Lib)] internal static partial int dc_generator_seed(GeneratorHandle g, ulong seed);
    [LibraryImport(Lib)] internal static partial int dc_generator_initial_seed(GeneratorHandle g, out ulong seed);
    [LibraryImport(Lib)] internal static partial int dc_generator_get_state(GeneratorHandle g, out TensorHandle state);
    [LibraryImport(Lib)] internal static partial int dc_generator_set_state(GeneratorHandle g, TensorHandle state);
    [LibraryImport(Lib)] internal static partial int dc_random_new(int kind, long* shape, int ndim, double a, double b, GeneratorHandle g, int dtype, int devType, int devIndex, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_random_(int kind, TensorHandle t, double a, double b, GeneratorHandle g);
    [LibraryImport(Lib)] internal static partial int dc_bernoulli(TensorHandle probs, GeneratorHandle g, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_randperm(long n, GeneratorHandle g, int devType, int devIndex, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_multinomial(TensorHandle probs, long n, int replacement, GeneratorHandle g, out TensorHandle result);

    [LibraryImport(Lib)] internal static partial int dc_to(TensorHandle t, int dtype, int devType, int devIndex, int copy, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_contiguous(TensorHandle t, int memoryFormat, out TensorHandle result);

    [LibraryImport(Lib)] internal static partial int dc_unary(int op, TensorHandle a, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_unary_(int op, TensorHandle a);
    [LibraryImport(Lib)] internal static partial int dc_binary(int op, TensorHandle a, TensorHandle b, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_binary_(int op, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int dc_binary_scalar(int op, TensorHandle a, double s, int isInt, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_binary_scalar_(int op, TensorHandle a, double s, int isInt);
    [LibraryImport(Lib)] internal static partial int dc_add_scaled(TensorHandle a, TensorHandle b, double alpha, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_add_scaled_(TensorHandle a, TensorHandle b, double alpha);
    [LibraryImport(Lib)] internal static partial int dc_clamp(TensorHandle a, double lo, double hi, int hasLo, int hasHi, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_clamp_(TensorHandle a, double lo, double hi, int hasLo, int hasHi);
    [LibraryImport(Lib)] internal static partial int dc_hardtanh(TensorHandle a, double lo, double hi, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_where(TensorHandle cond, TensorHandle a, TensorHandle b, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_lerp(TensorHandle a, TensorHandle b, TensorHandle w, double ws, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_lerp_(TensorHandle a, TensorHandle b, TensorHandle w, double ws);
    [LibraryImport(Lib)] internal static partial int dc_nan_to_num(TensorHandle a, double nan, double posinf, double neginf, int inplace, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_gelu(TensorHandle a, int tanhApprox, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_softmax(TensorHandle a, long dim, int log, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_copy_(TensorHandle dst, TensorHandle src);
    [LibraryImport(Lib)] internal static partial int dc_masked_fill(TensorHandle a, TensorHandle mask, double value, int inplace, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_addcmul_(TensorHandle a, TensorHandle b, TensorHandle c, double value);
    [LibraryImport(Lib)] internal static partial int dc_addcdiv_(TensorHandle a, TensorHandle b, TensorHandle c, double value);

    [LibraryImport(Lib)] internal static partial int dc_reduce(int op, TensorHandle a, long* dims, int ndims, int keepdim, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_var(TensorHandle a, long* dims, int ndims, long correction, int keepdim, int std, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_norm(TensorHandle a, double p, long* dims, int ndims, int keepdim, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_max_dim(int op, TensorHandle a, long dim, int keepdim, out TensorHandle values, out TensorHandle indices);
    [LibraryImport(Lib)] internal static partial int dc_cumsum(TensorHandle a, long dim, out TensorHandle result);

    [LibraryImport(Lib)] internal static partial int dc_matmul(TensorHandle a, TensorHandle b, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_bmm(TensorHandle a, TensorHandle b, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_linear(TensorHandle x, TensorHandle w, TensorHandle b, out TensorHandle result);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int dc_einsum(string eq, IntPtr* ts, int n, out TensorHandle result);

    [LibraryImport(Lib)] internal static partial int dc_reshape(TensorHandle a, long* shape, int ndim, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_view(TensorHandle a, long* shape, int ndim, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_expand(TensorHandle a, long* shape, int ndim, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_repeat(TensorHandle a, long* shape, int ndim, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_permute(TensorHandle a, long* dims, int ndim, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_flip(TensorHandle a, long* dims, int ndim, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_roll(TensorHandle a, long* shifts, long* dims, int n, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_transpose(TensorHandle a, long d0, long d1, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_flatten(TensorHandle a, long start, long end, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_unsqueeze(TensorHandle a, long dim, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_squeeze(TensorHandle a, long dim, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_narrow(TensorHandle a, long dim, long start, long length, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_select(TensorHandle a, long dim, long index, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_cat(IntPtr* ts, int n, long dim, int stack, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_split(TensorHandle a, long* sizes, int n, long chunks, long dim, IntPtr* outs, int cap, out int count);

    [LibraryImport(Lib)] internal static partial int dc_index_select(TensorHandle a, long dim, TensorHandle idx, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_gather(TensorHandle a, long dim, TensorHandle idx, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_scatter(TensorHandle a, long dim, TensorHandle idx, TensorHandle src, int add, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_masked_select(TensorHandle a, TensorHandle mask, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_index_put_bool_(TensorHandle a, TensorHandle mask, TensorHandle values);
    [LibraryImport(Lib)] internal static partial int dc_one_hot(TensorHandle idx, long n, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_embedding(TensorHandle weight, TensorHandle idx, out TensorHandle result);

    [LibraryImport(Lib)] internal static partial int dc_conv2d(TensorHandle x, TensorHandle w, TensorHandle b, long* stride, long* padding, long* dilation, long groups, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_conv_transpose2d(TensorHandle x, TensorHandle w, TensorHandle b, long* stride, long* padding, long* outputPadding, long groups, long* dilation, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_pool2d(int kind, TensorHandle x, long* kernel, long* stride, long* padding, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_interpolate(TensorHandle x, int mode, long* size, double scaleH, double scaleW, int alignCorners, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_pad(TensorHandle x, long* pads, int n, int mode, double value, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_group_norm(TensorHandle x, long groups, TensorHandle w, TensorHandle b, double eps, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_layer_norm(TensorHandle x, long* shape, int ndim, TensorHandle w, TensorHandle b, double eps, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_sdpa(TensorHandle q, TensorHandle k, TensorHandle v, TensorHandle mask, int causal, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_affine_grid(TensorHandle theta, long* size, int ndim, int alignCorners, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_grid_sample(TensorHandle x, TensorHandle grid, int mode, int padding, int alignCorners, out TensorHandle result);

    [LibraryImport(Lib)] internal static partial int dc_requires_grad(TensorHandle t, out int result);
    [LibraryImport(Lib)] internal static partial int dc_set_requires_grad(TensorHandle t, int value);
    [LibraryImport(Lib)] internal static partial int dc_is_leaf(TensorHandle t, out int result);
    [LibraryImport(Lib)] internal static partial int dc_backward(TensorHandle t, TensorHandle grad, int retainGraph, int createGraph);
    [LibraryImport(Lib)] internal static partial int dc_grad(TensorHandle t, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_set_grad(TensorHandle t, TensorHandle grad);
    [LibraryImport(Lib)] internal static partial int dc_detach(TensorHandle t, int inplace, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_autograd_grad(IntPtr* outputs, int nOut, IntPtr* inputs, int nIn, IntPtr* gradOutputs, int retainGraph, int createGraph, int allowUnused, IntPtr* results);
    [LibraryImport(Lib)] internal static partial int dc_grad_mode_enabled(out int result);
    [LibraryImport(Lib)] internal static partial int dc_set_grad_mode(int enabled);
    [LibraryImport(Lib)] internal static partial int dc_inference_mode_enter(out IntPtr guard);
    [LibraryImport(Lib)] internal static partial int dc_inference_mode_exit(IntPtr guard);
    [LibraryImport(Lib)] internal static partial int dc_autocast_enter(int devType, int dtype, int enabled, out IntPtr state);
    [LibraryImport(Lib)] internal static partial int dc_autocast_exit(IntPtr state);
    [LibraryImport(Lib)] internal static partial int dc_set_matmul_precision(int dtype);
    [LibraryImport(Lib)] internal static partial int dc_get_matmul_precision(out int dtype);
    [LibraryImport(Lib)] internal static partial int dc_cpu_capabilities(out int flags);
    [LibraryImport(Lib)] internal static partial int dc_profile_enable(int enabled);
    [LibraryImport(Lib)] internal static partial int dc_profile_read(int reset, out long nativeNs, out long calls);
    [LibraryImport(Lib)] internal static partial int dc_cpu_kernel_capability(byte* buffer, int capacity, out int needed);
    [LibraryImport(Lib)] internal static partial int dc_op_profile_start(int recordShapes);
    [LibraryImport(Lib)] internal static partial int dc_op_profile_stop();
    [LibraryImport(Lib)] internal static partial int dc_op_profile_report(byte* buffer, long capacity, out long needed);

    [LibraryImport(Lib)] internal static partial int dc_grads_nan_to_num_(IntPtr* parameters, int n);
    [LibraryImport(Lib)] internal static partial int dc_clip_grad_norm_(IntPtr* parameters, int n, double maxNorm, double normType, out double totalNorm);
    [LibraryImport(Lib)] internal static partial int dc_zero_grad(IntPtr* parameters, int n);
}
