namespace DiffusionCore.Networks.Edm2;

/// <summary>Where an EDM2 block sits, which decides where its skip convolution and pixel norm go (Karras et al. 2024, Fig. 21).</summary>
public enum Edm2BlockFlavor
{
    /// <summary>Encoder: 1×1 skip convolution (when channels change) and pixel norm before the residual branch.</summary>
    Encoder,

    /// <summary>Decoder: 1×1 skip convolution (when channels change) after the residual branch, no pixel norm.</summary>
    Decoder,
}
