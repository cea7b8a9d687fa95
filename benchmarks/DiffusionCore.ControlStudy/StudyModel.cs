using DiffusionCore.Control;
using DiffusionCore.Data;
using DiffusionCore.Networks.Control;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Samples.FashionMnist;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.ControlStudy;

/// <summary>The two arms of the disentanglement study: the main job's EDM2 UNet with a 4-value control path.</summary>
internal enum ControlArm
{
    /// <summary>Controls summed into the embedding at every noise level (gate 1).</summary>
    Summed,

    /// <summary>Controls through the gated path (cosine gate, the library default).</summary>
    Gated,
}

/// <summary>The study's network, augmentation and weights file, shared by every command.</summary>
internal static class StudyModel
{
    public const ulong Seed = 0;

    /// <summary>The augmentation whose parameters are the controls (crop side in [0.6, 1], flip, each with probability ½).</summary>
    public static ControlAugmentationOptions Augmentation { get; } = new() { MinCropScale = 0.6 };

    public static Edm2UNetOptions Options(ControlArm arm) => FashionMnistModel.Options(JobOptions.Defaults) with
    {
        Control = new ControlConditioningOptions
        {
            Width = ControlAugmentation.Width,
            Gate = arm == ControlArm.Summed ? ConstantControlGate.Summed : new CosineControlGate(),
        },
    };

    public static Edm2Denoiser Create(ControlArm arm)
    {
        using var g = new Generator(Seed);
        return new Edm2Denoiser(Options(arm), g);
    }

    /// <summary>The EMA weights the training command writes and the evaluation commands read.</summary>
    public static string WeightsPath(string run) => Path.Combine(run, "ema-0.100.safetensors");

    public static Edm2Denoiser Load(ControlArm arm, string run)
    {
        string path = WeightsPath(run);
        if (!File.Exists(path)) throw new FileNotFoundException($"No trained weights at {path}: run `train --arm {arm.ToString().ToLowerInvariant()} --run {run}` first.", path);
        Edm2Denoiser net = Create(arm);
        net.LoadStateDict(path);
        net.Eval();
        return net;
    }
}
