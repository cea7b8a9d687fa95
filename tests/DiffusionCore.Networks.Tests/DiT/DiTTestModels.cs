using System.Text.Json;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.DiT;

/// <summary>Builds DiTs for tests: from the dit_tiny fixture's config, or the same tiny architecture freshly initialised.</summary>
internal static class DiTTestModels
{
    public const string FixtureName = "dit_tiny";

    /// <summary>
    /// The options of the reference constructor arguments in a fixture's config (missing ones take DiffusionCore's
    /// defaults); fails on an argument without an option.
    /// </summary>
    public static DiTOptions OptionsFrom(JsonElement config)
    {
        var r = new ReferenceConfigReader(config);
        var d = new DiTOptions();
        var options = new DiTOptions
        {
            InputSize = r.Int("input_size", d.InputSize),
            PatchSize = r.Int("patch_size", d.PatchSize),
            InChannels = r.Int("in_channels", d.InChannels),
            HiddenSize = r.Int("hidden_size", d.HiddenSize),
            Depth = r.Int("depth", d.Depth),
            NumHeads = r.Int("num_heads", d.NumHeads),
            MlpRatio = r.Double("mlp_ratio", d.MlpRatio),
            NumClasses = r.Int("num_classes", d.NumClasses),
            ClassDropoutProbability = r.Double("class_dropout_prob", d.ClassDropoutProbability),
            LearnSigma = r.Bool("learn_sigma", d.LearnSigma),
        };
        r.EnsureAllRead();
        return options;
    }

    /// <summary>The dit_tiny architecture: 8×8×4 input, patch 2, D 64, depth 2, 4 heads, 10 classes, dropout 0.1, learned Σ.</summary>
    public static DiTOptions Tiny { get; } = new()
    {
        InputSize = 8,
        PatchSize = 2,
        InChannels = 4,
        HiddenSize = 64,
        Depth = 2,
        NumHeads = 4,
        NumClasses = 10,
        ClassDropoutProbability = 0.1,
        LearnSigma = true,
    };

    /// <summary>A tiny DiT carrying the fixture's (non-zero) weights, in eval mode.</summary>
    public static DiffusionTransformer LoadedTiny(ReferenceCase reference)
    {
        using var gen = new Generator(0);
        var model = new DiffusionTransformer(OptionsFrom(reference.Config), gen);
        reference.LoadStateInto(model);
        model.Eval();
        return model;
    }
}
