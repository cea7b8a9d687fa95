namespace DiffusionCore.Networks.Edm;

/// <summary>
/// How a <see cref="SongUNet"/> encoder feeds the input image to lower resolutions (Song et al. 2021, §H "progressive
/// input"; Karras et al. 2022, App. F.2).
/// </summary>
public enum EncoderType
{
    /// <summary>Only through the feature path (DDPM++).</summary>
    Standard,

    /// <summary>
    /// "Input skip": the image is downsampled level by level (<c>_aux_down</c>) and a 1×1 projection of it is added to
    /// the features after each downsampling block (<c>_aux_skip</c>).
    /// </summary>
    Skip,

    /// <summary>
    /// "Residual" (NCSN++): a strided 3×3 convolution of the previous auxiliary features (<c>_aux_residual</c>) is added
    /// to the features after each downsampling block, and the sum, scaled by 1/√2, becomes the next auxiliary input.
    /// </summary>
    Residual,
}
