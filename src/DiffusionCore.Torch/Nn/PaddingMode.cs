namespace DiffusionCore.Torch.Nn;

/// <summary>How a convolution layer pads its input (torch.nn.Conv2d padding_mode).</summary>
public enum PaddingMode
{
    /// <summary>Zero padding, done inside the convolution.</summary>
    Zeros,

    /// <summary>Mirror without repeating the edge.</summary>
    Reflect,

    /// <summary>Repeat the edge value.</summary>
    Replicate,

    /// <summary>Wrap around.</summary>
    Circular,
}
