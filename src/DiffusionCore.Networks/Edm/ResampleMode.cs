namespace DiffusionCore.Networks.Edm;

/// <summary>Whether an <see cref="EdmConv2d"/> changes the resolution (Karras et al. 2022, App. F.2).</summary>
public enum ResampleMode
{
    /// <summary>Same resolution.</summary>
    None,

    /// <summary>Upsample ×2 with the resample filter, then convolve (or the fused order, see <see cref="EdmConv2d"/>).</summary>
    Up,

    /// <summary>Downsample ×2 with the resample filter, then convolve (or the fused order, see <see cref="EdmConv2d"/>).</summary>
    Down,
}
