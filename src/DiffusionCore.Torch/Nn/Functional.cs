using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch.Nn;

/// <summary>Padding modes of <see cref="Functional.Pad"/>.</summary>
public enum PadMode
{
    /// <summary>Fill with a constant.</summary>
    Constant = 0,

    /// <summary>Mirror without repeating the edge.</summary>
    Reflect = 1,

    /// <summary>Repeat the edge value.</summary>
    Replicate = 2,

    /// <summary>Wrap around.</summary>
    Circular = 3,
}

/// <summary>Interpolation modes of <see cref="Functional.Interpolate(Tensor, InterpolationMode, double, bool)"/>.</summary>
public enum InterpolationMode
{
    /// <summary>Nearest neighbour.</summary>
    Nearest = 0,

    /// <summary>Bilinear.</summary>
    Bilinear = 1,

    /// <summary>
    /// Area averaging (torch's mode="area": adaptive average pooling): each output pixel averages the input pixels it
    /// covers, the usual choice for downscaling; only with an explicit output size.
    /// </summary>
    Area = 2,
}

/// <summary>Sampling modes of <see cref="Functional.GridSample"/>.</summary>
public enum GridSampleMode
{
    /// <summary>Bilinear.</summary>
    Bilinear = 0,

    /// <summary>Nearest neighbour.</summary>
    Nearest = 1,

    /// <summary>Bicubic.</summary>
    Bicubic = 2,
}

/// <summary>Out-of-range handling of <see cref="Functional.GridSample"/>.</summary>
public enum GridSamplePadding
{
    /// <summary>Zeros outside.</summary>
    Zeros = 0,

    /// <summary>Clamp to the border.</summary>
    Border = 1,

    /// <summary>Reflect at the border.</summary>
    Reflection = 2,
}

/// <summary>Stateless neural-network functions (torch.nn.functional), all differentiable where PyTorch's are.</summary>
public static class Functional
{
    /// <summary>y = x·Wᵀ + b (torch.nn.functional.linear).</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        return Tensor.Wrap(NativeMethods.dc_linear(input.Handle, weight.Handle, Tensor.OptionalHandle(bias), out var h), h);
    }

    /// <summary>2-D convolution over NCHW input with weight [out, in/groups, kh, kw] (torch.nn.functional.conv2d).</summary>
    public static unsafe Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(input, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    /// <summary>2-D convolution with per-axis stride, padding and dilation.</summary>
    public static unsafe Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        long* s = stackalloc long[] { stride.H, stride.W };
        long* p = stackalloc long[] { padding.H, padding.W };
        long* d = stackalloc long[] { dilation.H, dilation.W };
        return Tensor.Wrap(NativeMethods.dc_conv2d(input.Handle, weight.Handle, Tensor.OptionalHandle(bias), s, p, d, groups, out var h), h);
    }

    /// <summary>Transposed 2-D convolution with weight [in, out/groups, kh, kw] (torch.nn.functional.conv_transpose2d).</summary>
    public static unsafe Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1, int dilation = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        long* s = stackalloc long[] { stride, stride };
        long* p = stackalloc long[] { padding, padding };
        long* o = stackalloc long[] { outputPadding, outputPadding };
        long* d = stackalloc long[] { dilation, dilation };
        return Tensor.Wrap(NativeMethods.dc_conv_transpose2d(input.Handle, weight.Handle, Tensor.OptionalHandle(bias), s, p, o, groups, d, out var h), h);
    }

    private static unsafe Tensor Pool(int kind, Tensor input, int kernel, int? stride, int padding)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernel, 1);
        int st = stride ?? kernel;
        long* k = stackalloc long[] { kernel, kernel };
        long* s = stackalloc long[] { st, st };
        long* p = stackalloc long[] { padding, padding };
        return Tensor.Wrap(NativeMethods.dc_pool2d(kind, input.Handle, k, s, p, out var h), h);
    }

    /// <summary>2-D average pooling; stride defaults to the kernel size (torch.nn.functional.avg_pool2d).</summary>
    public static Tensor AvgPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0) => Pool(0, input, kernelSize, stride, padding);

    /// <summary>2-D max pooling; stride defaults to the kernel size (torch.nn.functional.max_pool2d).</summary>
    public static Tensor MaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0) => Pool(1, input, kernelSize, stride, padding);

    /// <summary>Resizes NCHW input to an output size (torch.nn.functional.interpolate).</summary>
    public static unsafe Tensor Interpolate(Tensor input, (int H, int W) size, InterpolationMode mode = InterpolationMode.Nearest, bool alignCorners = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (size.H <= 0 || size.W <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "output size must be positive");
        long* s = stackalloc long[] { size.H, size.W };
        return Tensor.Wrap(NativeMethods.dc_interpolate(input.Handle, (int)mode, s, 0, 0, alignCorners ? 1 : 0, out var h), h);
    }

    /// <summary>Resizes NCHW input by a scale factor (torch.nn.functional.interpolate with scale_factor).</summary>
    public static unsafe Tensor Interpolate(Tensor input, InterpolationMode mode, double scaleFactor, bool alignCorners = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!(scaleFactor > 0)) throw new ArgumentOutOfRangeException(nameof(scaleFactor), scaleFactor, "scale factor must be positive");
        long* s = stackalloc long[] { 0, 0 };
        return Tensor.Wrap(NativeMethods.dc_interpolate(input.Handle, (int)mode, s, scaleFactor, scaleFactor, alignCorners ? 1 : 0, out var h), h);
    }

    /// <summary>Pads the last dimensions: pads = (left, right, top, bottom, …) as in torch.nn.functional.pad.</summary>
    public static unsafe Tensor Pad(Tensor input, ReadOnlySpan<long> pads, PadMode mode = PadMode.Constant, double value = 0)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (pads.Length % 2 != 0) throw new ArgumentException("pads must have an even length (before, after) per dimension", nameof(pads));
        fixed (long* p = pads)
        {
            return Tensor.Wrap(NativeMethods.dc_pad(input.Handle, p, pads.Length, (int)mode, value, out var h), h);
        }
    }

    /// <summary>Group normalisation over channel groups of NC… input (Wu &amp; He 2018; torch.nn.functional.group_norm).</summary>
    public static Tensor GroupNorm(Tensor input, int numGroups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(numGroups, 1);
        return Tensor.Wrap(NativeMethods.dc_group_norm(input.Handle, numGroups, Tensor.OptionalHandle(weight), Tensor.OptionalHandle(bias), eps, out var h), h);
    }

    /// <summary>Layer normalisation over the trailing <paramref name="normalizedShape"/> (Ba et al. 2016; torch.nn.functional.layer_norm).</summary>
    public static unsafe Tensor LayerNorm(Tensor input, ReadOnlySpan<long> normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        fixed (long* s = normalizedShape)
        {
            return Tensor.Wrap(NativeMethods.dc_layer_norm(input.Handle, s, normalizedShape.Length, Tensor.OptionalHandle(weight), Tensor.OptionalHandle(bias), eps, out var h), h);
        }
    }

    /// <summary>
    /// softmax(q·kᵀ/√d + mask)·v over [..., L, d] inputs (Vaswani et al. 2017, Eq. 1). Uses libtorch's fused
    /// scaled-dot-product attention (its math kernel on CPU, flash/memory-efficient kernels on CUDA with libtorch ≥ 2).
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? attentionMask = null, bool isCausal = false)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return Tensor.Wrap(NativeMethods.dc_sdpa(query.Handle, key.Handle, value.Handle, Tensor.OptionalHandle(attentionMask), isCausal ? 1 : 0, out var h), h);
    }

    /// <summary>SiLU x·σ(x) (Elfwing et al. 2018).</summary>
    public static Tensor Silu(Tensor input) => input.Silu();

    /// <summary>GELU, exact or tanh-approximated (Hendrycks &amp; Gimpel 2016).</summary>
    public static Tensor Gelu(Tensor input, bool tanhApproximation = false) => input.Gelu(tanhApproximation);

    /// <summary>Softmax along a dimension.</summary>
    public static Tensor Softmax(Tensor input, long dim) => input.Softmax(dim);

    /// <summary>Log-softmax along a dimension.</summary>
    public static Tensor LogSoftmax(Tensor input, long dim) => input.LogSoftmax(dim);

    /// <summary>
    /// Inverted dropout (Srivastava et al. 2014): in training, zeroes each element with probability <paramref name="p"/>
    /// and scales the rest by 1/(1−p), drawing the mask from <paramref name="generator"/>; identity otherwise.
    /// </summary>
    public static Tensor Dropout(Tensor input, double p, bool training, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
        if (!training || p == 0) return input.Alias();
        if (p == 1) return input.Mul(0.0);
        using Tensor mask = input.EmptyLike().DetachFromScope();
        using NoGradScope _ = new();
        mask.BernoulliInPlace(1 - p, generator).DivInPlace(1 - p);
        return input.Mul(mask);
    }

    /// <summary>Rows of <paramref name="weight"/> at int64 <paramref name="indices"/> (torch.nn.functional.embedding).</summary>
    public static Tensor Embedding(Tensor indices, Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(weight);
        return Tensor.Wrap(NativeMethods.dc_embedding(weight.Handle, indices.Handle, out var h), h);
    }

    /// <summary>One-hot encoding (torch.nn.functional.one_hot).</summary>
    public static Tensor OneHot(Tensor indices, long numClasses)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return indices.OneHot(numClasses);
    }

    /// <summary>Sampling grid for affine matrices theta [N, 2, 3] and output size [N, C, H, W] (torch.nn.functional.affine_grid).</summary>
    public static unsafe Tensor AffineGrid(Tensor theta, ReadOnlySpan<long> size, bool alignCorners = false)
    {
        ArgumentNullException.ThrowIfNull(theta);
        fixed (long* s = size)
        {
            return Tensor.Wrap(NativeMethods.dc_affine_grid(theta.Handle, s, size.Length, alignCorners ? 1 : 0, out var h), h);
        }
    }

    /// <summary>Samples input at grid locations in [−1, 1] (torch.nn.functional.grid_sample).</summary>
    public static Tensor GridSample(Tensor input, Tensor grid, GridSampleMode mode = GridSampleMode.Bilinear, GridSamplePadding padding = GridSamplePadding.Zeros, bool alignCorners = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(grid);
        return Tensor.Wrap(NativeMethods.dc_grid_sample(input.Handle, grid.Handle, (int)mode, (int)padding, alignCorners ? 1 : 0, out var h), h);
    }

    /// <summary>Mean squared error, reduced by mean (torch.nn.functional.mse_loss).</summary>
    public static Tensor MseLoss(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        using var scope = new TensorScope();
        return input.Sub(target).Square().Mean().MoveToOuterScope();
    }

    /// <summary>Cross-entropy of logits [N, C] against int64 class indices [N], reduced by mean.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        using var scope = new TensorScope();
        Tensor logp = logits.LogSoftmax(1);
        Tensor picked = logp.Gather(1, targets.Unsqueeze(1));
        return picked.Mean().Neg().MoveToOuterScope();
    }
}
