using DiffusionCore.Merge;
using DiffusionCore.Models;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Training.Ema;

/// <summary>
/// One post-hoc EMA reconstruction (Karras et al. 2024, EDM2 §3, App. C.3): the network state θ = Σ_i X[i]·θ_i,
/// accumulated in float32, with its weights. Owns its tensors: dispose it when done.
/// </summary>
public sealed class PostHocEmaResult : IDisposable
{
    private readonly MergedStateDict _state;

    internal PostHocEmaResult(double sigmaRel, long imagesSeen, IReadOnlyList<double> weights, MergedStateDict state)
    {
        SigmaRel = sigmaRel;
        Gamma = PowerFunctionEma.SigmaRelToGamma(sigmaRel);
        ImagesSeen = imagesSeen;
        Weights = weights;
        _state = state;
    }

    /// <summary>σ_rel of the reconstructed profile.</summary>
    public double SigmaRel { get; }

    /// <summary>γ of the reconstructed profile.</summary>
    public double Gamma { get; }

    /// <summary>The end time of the reconstructed profile, in images seen.</summary>
    public long ImagesSeen { get; }

    /// <summary>The weight of each snapshot (indexed like <see cref="PostHocEmaReconstructor.Snapshots"/>); they sum to 1, and snapshots after <see cref="ImagesSeen"/> weigh 0.</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>The reconstructed state dict: averaged parameters in float32 and buffers from the latest snapshot up to <see cref="ImagesSeen"/>.</summary>
    public IReadOnlyDictionary<string, Tensor> State => _state.Tensors;

    /// <summary>Copies the reconstruction into a network of the snapshots' architecture (<see cref="Module.LoadStateDict"/>).</summary>
    /// <param name="target">The network.</param>
    /// <param name="strict">Fail on any missing, unexpected or mis-shaped key (networks with tied weights need false: snapshots hold each tensor once).</param>
    /// <returns>The keys that did not match.</returns>
    public StateDictLoadResult LoadInto(Module target, bool strict = true) => _state.LoadInto(target, strict);

    /// <summary>
    /// Writes the reconstruction as a safetensors state dict (atomically), with metadata sigma_rel, gamma, images_seen
    /// and the number of snapshots used.
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <param name="parameterDType">The dtype of floating-point tensors; float32 (as accumulated) when null.</param>
    /// <param name="description">
    /// The model description of the tracked network; when given, the file is self-describing (stored with this
    /// reconstruction's σ_rel under <see cref="ModelDescription.MetadataKey"/>) and <c>DiffusionModel.Load(path)</c>
    /// rebuilds the network without code.
    /// </param>
    public void Save(string path, DType? parameterDType = null, ModelDescription? description = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "diffusioncore.phema-posthoc.v1",
            ["sigma_rel"] = EmaArguments.Format(SigmaRel),
            ["gamma"] = EmaArguments.Format(Gamma),
            ["images_seen"] = EmaArguments.Format(ImagesSeen),
            ["snapshots_used"] = EmaArguments.Format(Weights.Count(static w => w != 0)),
        };
        if (description is not null) metadata[ModelDescription.MetadataKey] = (description with { EmaSigmaRel = SigmaRel }).ToJson();
        _state.Save(path, metadata, parameterDType);
    }

    /// <summary>Frees the reconstructed tensors.</summary>
    public void Dispose() => _state.Dispose();
}
