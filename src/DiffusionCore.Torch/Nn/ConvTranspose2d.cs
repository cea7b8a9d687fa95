using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch.Nn;

/// <summary>
/// Transposed 2-D convolution over NCHW input (torch.nn.ConvTranspose2d), the gradient of <see cref="Conv2d"/> with
/// respect to its input. Parameters <c>weight</c> [in, out/groups, kh, kw] and <c>bias</c> [out], initialised as
/// PyTorch does: kaiming_uniform_(a = √5) and U(−1/√fan_in, 1/√fan_in), where PyTorch takes fan_in = size(1)·kh·kw =
/// out/groups·kh·kw for this weight layout. Output size: (in − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1.
/// </summary>
public sealed class ConvTranspose2d : Module, ITensorModule
{
    /// <summary>Creates a transposed convolution with square kernel, stride, padding, output padding and dilation.</summary>
    public ConvTranspose2d(
        int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1,
        bool bias = true, int dilation = 1, Generator? generator = null, DType dtype = DType.Float32, Device? device = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (outputPadding, outputPadding), groups, bias, (dilation, dilation), generator, dtype, device)
    {
    }

    /// <summary>Creates a transposed convolution with per-axis (height, width) arguments.</summary>
    public ConvTranspose2d(
        int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding, (int H, int W) outputPadding, int groups,
        bool bias, (int H, int W) dilation, Generator? generator = null, DType dtype = DType.Float32, Device? device = null)
    {
        ConvArguments.Validate(inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
        if (outputPadding.H < 0 || outputPadding.W < 0 || (outputPadding.H >= stride.H && outputPadding.H >= dilation.H) || (outputPadding.W >= stride.W && outputPadding.W >= dilation.W))
        {
            throw new ArgumentOutOfRangeException(nameof(outputPadding), outputPadding, "output padding must be non-negative and smaller than either stride or dilation");
        }

        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        OutputPadding = outputPadding;
        Dilation = dilation;
        Groups = groups;
        Tensor w = RegisterParameter("weight", Tensor.Empty([inChannels, outChannels / groups, kernelSize.H, kernelSize.W], dtype, device));
        Tensor? b = RegisterParameter("bias", bias ? Tensor.Empty([outChannels], dtype, device) : null);
        Init.DefaultLayerInit(w, b, generator);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel size (height, width).</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Stride (height, width).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Implicit padding removed from both sides of the output (height, width).</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Extra size added to one side of the output (height, width).</summary>
    public (int H, int W) OutputPadding { get; }

    /// <summary>Spacing between kernel taps (height, width).</summary>
    public (int H, int W) Dilation { get; }

    /// <summary>Number of blocked connections from input to output channels.</summary>
    public int Groups { get; }

    /// <summary>The weight [in, out/groups, kh, kw].</summary>
    public Tensor Weight => GetParameter("weight")!;

    /// <summary>The bias [out], or null.</summary>
    public Tensor? Bias => GetParameter("bias");

    /// <summary>Applies the transposed convolution to NCHW input (torch.nn.functional.conv_transpose2d).</summary>
    public unsafe Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor weight = Weight;
        Tensor? bias = Bias;
        long* s = stackalloc long[] { Stride.H, Stride.W };
        long* p = stackalloc long[] { Padding.H, Padding.W };
        long* o = stackalloc long[] { OutputPadding.H, OutputPadding.W };
        long* d = stackalloc long[] { Dilation.H, Dilation.W };
        return Tensor.Wrap(NativeMethods.dc_conv_transpose2d(input.Handle, weight.Handle, Tensor.OptionalHandle(bias), s, p, o, Groups, d, out var h), h);
    }

    /// <inheritdoc />
    protected override string ExtraRepresentation() =>
        $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}" +
        (Padding != (0, 0) ? $", padding={Padding}" : string.Empty) +
        (OutputPadding != (0, 0) ? $", output_padding={OutputPadding}" : string.Empty) +
        (Dilation != (1, 1) ? $", dilation={Dilation}" : string.Empty) +
        (Groups != 1 ? $", groups={Groups}" : string.Empty) +
        (Bias is null ? ", bias=False" : string.Empty);
}
