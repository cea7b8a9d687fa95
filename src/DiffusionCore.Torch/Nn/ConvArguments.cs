namespace DiffusionCore.Torch.Nn;

/// <summary>Argument checks shared by the convolution layers (the ValueErrors of torch.nn.modules.conv._ConvNd).</summary>
internal static class ConvArguments
{
    internal static void Validate(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        if (inChannels % groups != 0)
        {
            throw new ArgumentException($"inChannels ({inChannels}) must be divisible by groups ({groups}).", nameof(inChannels));
        }

        if (outChannels % groups != 0)
        {
            throw new ArgumentException($"outChannels ({outChannels}) must be divisible by groups ({groups}).", nameof(outChannels));
        }

        if (kernelSize.H < 1 || kernelSize.W < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "kernel sizes must be positive");
        }

        if (stride.H < 1 || stride.W < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, "strides must be positive");
        }

        if (padding.H < 0 || padding.W < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "padding must be non-negative");
        }

        if (dilation.H < 1 || dilation.W < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dilation), dilation, "dilations must be positive");
        }
    }

    internal static PadMode ToPadMode(PaddingMode mode) => mode switch
    {
        PaddingMode.Reflect => PadMode.Reflect,
        PaddingMode.Replicate => PadMode.Replicate,
        PaddingMode.Circular => PadMode.Circular,
        _ => PadMode.Constant,
    };
}
