namespace DiffusionCore.Networks.Edm;

/// <summary>
/// How a <see cref="SongUNet"/> decoder produces its output (Song et al. 2021, §H "progressive output"; Karras et al.
/// 2022, App. F.2).
/// </summary>
public enum DecoderType
{
    /// <summary>One output head at full resolution (<c>_aux_norm</c>, <c>_aux_conv</c>; DDPM++, NCSN++ in EDM).</summary>
    Standard,

    /// <summary>
    /// "Output skip": an output head at every level; the running image is upsampled (<c>_aux_up</c>) and the head's
    /// output added to it.
    /// </summary>
    Skip,
}
