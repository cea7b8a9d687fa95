namespace DiffusionCore.Networks.DiT;

/// <summary>The DiT model sizes of Peebles &amp; Xie 2023, Table 1 (depth N, width D, heads).</summary>
public enum DiTModelSize
{
    /// <summary>DiT-S: N 12, D 384, 6 heads.</summary>
    S,

    /// <summary>DiT-B: N 12, D 768, 12 heads.</summary>
    B,

    /// <summary>DiT-L: N 24, D 1024, 16 heads.</summary>
    L,

    /// <summary>DiT-XL: N 28, D 1152, 16 heads.</summary>
    XL,
}
