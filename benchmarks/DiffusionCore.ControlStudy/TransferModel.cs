using DiffusionCore.Denoisers;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Training.Masking;

namespace DiffusionCore.ControlStudy;

/// <summary>
/// Study 2's network: a small class-conditional DiT (patch 2, width 96, depth 4, 4 heads, 1 channel; an 8×8 grid at 16²,
/// 16×16 at 32²) with EDM preconditioning and EDM2's uncertainty head (<see cref="MaskedUncertaintyDenoiser"/>, never
/// masked here), so that the EDM2 loss trains it. The label table has the null row for classifier-free guidance.
/// </summary>
internal sealed class TransferModel : IDisposable
{
    public const ulong Seed = 0;

    /// <summary>The pre-training resolution of the transfer arm.</summary>
    public const int LowResolution = 16;

    /// <summary>The target resolution of both arms.</summary>
    public const int HighResolution = 32;

    private TransferModel(int resolution)
    {
        using var g = new Generator(Seed);
        Network = new DiffusionTransformer(Options(resolution), g);
        Denoiser = new MaskedUncertaintyDenoiser(Network, new EdmPreconditioning(), g);
    }

    /// <summary>The DiT.</summary>
    public DiffusionTransformer Network { get; }

    /// <summary>The DiT under EDM preconditioning with the uncertainty head (parameters <c>net.*</c>, <c>logvar_*</c>): the module the trainer trains.</summary>
    public MaskedUncertaintyDenoiser Denoiser { get; }

    public static DiTOptions Options(int resolution) => new()
    {
        InputSize = resolution,
        PatchSize = 2,
        InChannels = 1,
        HiddenSize = 96,
        Depth = 4,
        NumHeads = 4,
        NumClasses = 10,
        ClassDropoutProbability = 0,
        UnconditionalRow = true,
        LearnSigma = false,
    };

    public static TransferModel Create(int resolution) => new(resolution);

    /// <summary>The EMA weights (of <see cref="Denoiser"/>) the training command writes and the evaluation reads.</summary>
    public static string WeightsPath(string run) => Path.Combine(run, "ema-0.100.safetensors");

    /// <summary>Loads a run's EMA weights into a new model at <paramref name="resolution"/>, in evaluation mode.</summary>
    public static TransferModel Load(string run, int resolution)
    {
        string path = WeightsPath(run);
        if (!File.Exists(path)) throw new FileNotFoundException($"No trained weights at {path}: run `transfer-train --run {run}` first.", path);
        TransferModel model = Create(resolution);
        model.Denoiser.LoadStateDict(path);
        model.Denoiser.Eval();
        return model;
    }

    /// <summary>
    /// Starts this (32²) model from a 16² run's EMA weights: the DiT in one call to <see cref="DiTResolutionTransfer.Load"/>
    /// (the position embedding recomputed for the new grid by <paramref name="resampling"/>), the uncertainty head as it is.
    /// </summary>
    public void TransferFrom(string lowResolutionRun, PositionEmbeddingResampling resampling)
    {
        using var scope = new TensorScope();
        using TransferModel source = Load(lowResolutionRun, LowResolution);
        DiTResolutionTransfer.Load(Network, source.Network.StateDict(), LowResolution, resampling);
        var head = source.Denoiser.StateDict().Where(p => !p.Key.StartsWith("net.", StringComparison.Ordinal)).ToDictionary();
        StateDictLoadResult r = Denoiser.LoadStateDict(head, strict: false);
        if (r.UnexpectedKeys.Count > 0 || r.ShapeMismatches.Count > 0)
        {
            throw new InvalidOperationException($"The uncertainty head of {lowResolutionRun} does not fit this model: {string.Join(", ", r.UnexpectedKeys.Concat(r.ShapeMismatches.Select(m => m.Key)))}.");
        }
    }

    public void Dispose() => Denoiser.Dispose();
}
