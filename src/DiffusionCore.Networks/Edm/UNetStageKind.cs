namespace DiffusionCore.Networks.Edm;

/// <summary>What an entry of a UNet's <c>enc</c>/<c>dec</c> container does in the forward pass.</summary>
internal enum UNetStageKind
{
    /// <summary>The input convolution <c>{res}x{res}_conv</c>; its output is a skip.</summary>
    InputConv,

    /// <summary>A <see cref="UNetBlock"/> (<c>_down</c>, <c>_up</c>, <c>_in0</c>, <c>_in1</c>, <c>_block{i}</c>).</summary>
    Block,

    /// <summary>Skip encoder: downsample the image path (<c>_aux_down</c>).</summary>
    AuxDown,

    /// <summary>Skip encoder: add the projected image path to the features (<c>_aux_skip</c>).</summary>
    AuxSkip,

    /// <summary>Residual encoder: add the strided image path and rescale by 1/√2 (<c>_aux_residual</c>).</summary>
    AuxResidual,

    /// <summary>Skip decoder: upsample the output path (<c>_aux_up</c>).</summary>
    AuxUp,

    /// <summary>Output head: normalise the features (<c>_aux_norm</c>).</summary>
    AuxNorm,

    /// <summary>Output head: convolve to the image channels and accumulate (<c>_aux_conv</c>).</summary>
    AuxConv,
}
