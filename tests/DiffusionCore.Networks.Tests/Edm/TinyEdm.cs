using DiffusionCore.Networks.Edm;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.Edm;

/// <summary>Tiny EDM network configurations and inputs for fast behavioural tests.</summary>
internal static class TinyEdm
{
    public static SongUNetOptions Song { get; } = new()
    {
        ImageResolution = 16,
        InChannels = 3,
        OutChannels = 3,
        LabelDim = 4,
        AugmentDim = 2,
        ModelChannels = 16,
        ChannelMult = [1, 2],
        NumBlocks = 1,
        AttentionResolutions = [8],
        Dropout = 0,
    };

    public static DhariwalUNetOptions Adm { get; } = new()
    {
        ImageResolution = 16,
        InChannels = 3,
        OutChannels = 3,
        LabelDim = 4,
        AugmentDim = 2,
        ModelChannels = 32,
        ChannelMult = [1, 2],
        NumBlocks = 1,
        AttentionResolutions = [8],
        Dropout = 0,
    };

    public static Tensor Images(ulong seed, long batch = 2, int channels = 3, int resolution = 16)
    {
        using var g = new Generator(seed);
        return Tensor.Randn([batch, channels, resolution, resolution], g);
    }

    public static Conditioning Labels(long batch = 2, int labelDim = 4, int augmentDim = 2)
    {
        Tensor labels = Tensor.Arange(batch).Remainder(labelDim).OneHot(labelDim).To(DType.Float32);
        Conditioning c = Conditioning.FromClassLabels(labels);
        return augmentDim > 0 ? c.With(ConditioningKeys.AugmentLabels, Tensor.Full([batch, augmentDim], 0.5)) : c;
    }

    /// <summary>
    /// Replaces every weight with N(0, 0.05²): the ADM zero-initialises its residual branches and output, so a freshly
    /// built one ignores its embedding entirely.
    /// </summary>
    public static void Randomize(DiffusionCore.Torch.Nn.Module module, ulong seed = 99)
    {
        using var g = new Generator(seed);
        using var noGrad = new NoGradScope();
        foreach (Tensor p in module.Parameters())
        {
            if (p.Dim >= 2)
            {
                p.NormalInPlace(0, 0.05, g);
            }
        }
    }

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = new TensorScope();
        return a.To(DType.Float64).Sub(b.To(DType.Float64)).Abs().Max().ToDouble();
    }
}
