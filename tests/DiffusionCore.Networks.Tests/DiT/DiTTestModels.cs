using System.Text.Json;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.DiT;

/// <summary>Builds DiTs for tests: from the dit_tiny fixture's config, or the same tiny architecture freshly initialised.</summary>
internal static class DiTTestModels
{
    public const string FixtureName = "dit_tiny";

    /// <summary>The options of the reference constructor arguments in a fixture's config.</summary>
    public static DiTOptions OptionsFrom(JsonElement config) => new()
    {
        InputSize = config.GetProperty("input_size").GetInt32(),
        PatchSize = config.GetProperty("patch_size").GetInt32(),
        InChannels = config.GetProperty("in_channels").GetInt32(),
        HiddenSize = config.GetProperty("hidden_size").GetInt32(),
        Depth = config.GetProperty("depth").GetInt32(),
        NumHeads = config.GetProperty("num_heads").GetInt32(),
        NumClasses = config.GetProperty("num_classes").GetInt32(),
        ClassDropoutProbability = config.GetProperty("class_dropout_prob").GetDouble(),
        LearnSigma = config.GetProperty("learn_sigma").GetBoolean(),
    };

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
