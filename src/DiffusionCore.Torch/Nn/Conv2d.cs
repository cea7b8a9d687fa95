namespace DiffusionCore.Torch.Nn;

/// <summary>
/// 2-D convolution over NCHW input (torch.nn.Conv2d). Parameters <c>weight</c> [out, in/groups, kh, kw] and
/// <c>bias</c> [out], initialised as PyTorch does: kaiming_uniform_(a = √5) for the weight, U(−1/√fan_in, 1/√fan_in)
/// for the bias, fan_in = in/groups·kh·kw.
/// </summary>
public sealed class Conv2d : Module, ITensorModule
{
    /// <summary>Creates a convolution with square kernel, stride, padding and dilation.</summary>
    public Conv2d(
        int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, PaddingMode paddingMode = PaddingMode.Zeros, Generator? generator = null, DType dtype = DType.Float32, Device? device = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation), groups, bias, paddingMode, generator, dtype, device)
    {
    }

    /// <summary>Creates a convolution with per-axis (height, width) kernel size, stride, padding and dilation.</summary>
    public Conv2d(
        int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups = 1,
        bool bias = true, PaddingMode paddingMode = PaddingMode.Zeros, Generator? generator = null, DType dtype = DType.Float32, Device? device = null)
    {
        ConvArguments.Validate(inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        PaddingMode = paddingMode;
        Tensor w = RegisterParameter("weight", Tensor.Empty([outChannels, inChannels / groups, kernelSize.H, kernelSize.W], dtype, device));
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

    /// <summary>Padding added on both sides (height, width).</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Spacing between kernel taps (height, width).</summary>
    public (int H, int W) Dilation { get; }

    /// <summary>Number of blocked connections from input to output channels.</summary>
    public int Groups { get; }

    /// <summary>How the padding is filled.</summary>
    public PaddingMode PaddingMode { get; }

    /// <summary>The weight [out, in/groups, kh, kw].</summary>
    public Tensor Weight => GetParameter("weight")!;

    /// <summary>The bias [out], or null.</summary>
    public Tensor? Bias => GetParameter("bias");

    /// <summary>Convolves NCHW input (torch.nn.functional.conv2d, after torch.nn.functional.pad for non-zero padding modes).</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (PaddingMode == PaddingMode.Zeros || Padding == (0, 0))
        {
            return Functional.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
        }

        using var scope = new TensorScope();
        Tensor padded = Functional.Pad(input, [Padding.W, Padding.W, Padding.H, Padding.H], ConvArguments.ToPadMode(PaddingMode));
        return Functional.Conv2d(padded, Weight, Bias, Stride, (0, 0), Dilation, Groups).MoveToOuterScope();
    }

    /// <inheritdoc />
    protected override string ExtraRepresentation() =>
        $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}" +
        (Padding != (0, 0) ? $", padding={Padding}" : string.Empty) +
        (Dilation != (1, 1) ? $", dilation={Dilation}" : string.Empty) +
        (Groups != 1 ? $", groups={Groups}" : string.Empty) +
        (Bias is null ? ", bias=False" : string.Empty) +
        (PaddingMode != PaddingMode.Zeros ? $", padding_mode={PaddingMode.ToString().ToLowerInvariant()}" : string.Empty);
}
