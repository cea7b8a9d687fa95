namespace DiffusionCore.Networks.Edm2;

/// <summary>
/// The published EDM2 network sizes (Karras et al. 2024, Table 2 and Appendix C): ImageNet-512 models on 64×64×4
/// latents and ImageNet-64 models on RGB 64² pixels, all with channel multipliers [1, 2, 3, 4], 3 blocks per level,
/// attention at 16² and 8², 1000 classes. Parameter counts (denoiser including the uncertainty head, as measured on the
/// reference) are given per preset; tests rebuild every preset on the meta device and check them.
/// </summary>
public static class Edm2Presets
{
    /// <summary>img512-xxs: 64 channels, dropout 0, 31,309,029 parameters (31.3 M). Size and dropout from the EDM2 code release (its training presets; not in the paper's table).</summary>
    public static Edm2UNetOptions Img512Xxs() => Img512(64, 0);

    /// <summary>img512-xs: 128 channels, dropout 0, 124,713,253 parameters (124.7 M).</summary>
    public static Edm2UNetOptions Img512Xs() => Img512(128, 0);

    /// <summary>img512-s: 192 channels, dropout 0, 280,212,837 parameters (280.2 M).</summary>
    public static Edm2UNetOptions Img512S() => Img512(192, 0);

    /// <summary>img512-m: 256 channels, dropout 0.10, 497,807,781 parameters (497.8 M).</summary>
    public static Edm2UNetOptions Img512M() => Img512(256, 0.10);

    /// <summary>img512-l: 320 channels, dropout 0.10, 777,498,085 parameters (777.5 M).</summary>
    public static Edm2UNetOptions Img512L() => Img512(320, 0.10);

    /// <summary>img512-xl: 384 channels, dropout 0.10, 1,119,283,749 parameters (1119.3 M).</summary>
    public static Edm2UNetOptions Img512Xl() => Img512(384, 0.10);

    /// <summary>img512-xxl: 448 channels, dropout 0.10, 1,523,164,773 parameters (1523.2 M).</summary>
    public static Edm2UNetOptions Img512Xxl() => Img512(448, 0.10);

    /// <summary>img64-s: 192 channels, dropout 0, 280,209,381 parameters (280.2 M).</summary>
    public static Edm2UNetOptions Img64S() => Img64(192, 0);

    /// <summary>img64-m: 256 channels, dropout 0.10, 497,803,173 parameters (497.8 M).</summary>
    public static Edm2UNetOptions Img64M() => Img64(256, 0.10);

    /// <summary>img64-l: 320 channels, dropout 0.10, 777,492,325 parameters (777.5 M).</summary>
    public static Edm2UNetOptions Img64L() => Img64(320, 0.10);

    /// <summary>img64-xl: 384 channels, dropout 0.10, 1,119,276,837 parameters (1119.3 M).</summary>
    public static Edm2UNetOptions Img64Xl() => Img64(384, 0.10);

    private static Edm2UNetOptions Img512(int channels, double dropout) => new()
    {
        ImgResolution = 64,
        ImgChannels = 4,
        LabelDim = 1000,
        ModelChannels = channels,
        Dropout = dropout,
    };

    private static Edm2UNetOptions Img64(int channels, double dropout) => Img512(channels, dropout) with { ImgChannels = 3 };
}
