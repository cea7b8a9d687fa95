using DiffusionCore.Networks.Edm2;

namespace DiffusionCore.SolverStudy;

/// <summary>
/// The main job's network (docs/recipes.md, "The Fashion-MNIST main job"): a class-conditional EDM2 UNet on
/// zero-padded 32×32 Fashion-MNIST, channels 32, mult [1, 2, 2], one block per level, attention at 8².
/// </summary>
internal static class JobNetwork
{
    public const int Resolution = 32;
    public const int Classes = 10;
    public const ulong Seed = 0;
    public const double SigmaRel = 0.10;

    public static Edm2UNetOptions Options => new()
    {
        ImgResolution = Resolution,
        ImgChannels = 1,
        LabelDim = Classes,
        ModelChannels = 32,
        ChannelMult = [1, 2, 2],
        NumBlocks = 1,
        AttentionResolutions = [8],
        Dropout = 0,
    };

    /// <summary>The post-hoc EMA file the job (and <c>train-flow</c>) reconstructs in a run directory.</summary>
    public static string PostHocPath(string run) => Path.Combine(run, $"posthoc-ema-{SigmaRel:0.000}.safetensors");
}
