using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Training.Ema;

/// <summary>
/// One post-hoc EMA reconstruction (Karras et al. 2024, EDM2 §3, App. C.3): the network state θ = Σ_i X[i]·θ_i,
/// accumulated in float32, with its weights. Owns its tensors: dispose it when done.
/// </summary>
public sealed class PostHocEmaResult : IDisposable
{
    private readonly OrderedDictionary<string, Tensor> _state;
    private bool _disposed;

    internal PostHocEmaResult(double sigmaRel, long imagesSeen, IReadOnlyList<double> weights, OrderedDictionary<string, Tensor> state)
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
    public IReadOnlyDictionary<string, Tensor> State
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _state;
        }
    }

    /// <summary>Copies the reconstruction into a network of the snapshots' architecture (<see cref="Module.LoadStateDict"/>).</summary>
    /// <param name="target">The network.</param>
    /// <param name="strict">Fail on any missing, unexpected or mis-shaped key (networks with tied weights need false: snapshots hold each tensor once).</param>
    /// <returns>The keys that did not match.</returns>
    public StateDictLoadResult LoadInto(Module target, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.LoadStateDict(State, strict);
    }

    /// <summary>
    /// Writes the reconstruction as a safetensors state dict (atomically), with metadata sigma_rel, gamma, images_seen
    /// and the number of snapshots used.
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <param name="parameterDType">The dtype of floating-point tensors; float32 (as accumulated) when null.</param>
    public void Save(string path, DType? parameterDType = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var scope = new TensorScope();
        IEnumerable<KeyValuePair<string, Tensor>> tensors = State.Select(kv =>
            parameterDType is { } d && kv.Value.DType.IsFloatingPoint() ? new KeyValuePair<string, Tensor>(kv.Key, kv.Value.To(d)) : kv);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "diffusioncore.phema-posthoc.v1",
            ["sigma_rel"] = EmaArguments.Format(SigmaRel),
            ["gamma"] = EmaArguments.Format(Gamma),
            ["images_seen"] = EmaArguments.Format(ImagesSeen),
            ["snapshots_used"] = EmaArguments.Format(Weights.Count(static w => w != 0)),
        };
        SafeTensors.Save(path, tensors, metadata);
    }

    /// <summary>Frees the reconstructed tensors.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (Tensor t in _state.Values)
        {
            t.Dispose();
        }
    }
}
