using System.Globalization;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Training.Ema;

namespace DiffusionCore.Training.Tests.Support;

/// <summary>A minimal constant-decay EMA so the trainer's checkpointing of trackers can be tested before the ema branch lands.</summary>
internal sealed class TraditionalEmaForTests(string name, double decay) : IEmaTracker
{
    private readonly Dictionary<string, Tensor> _average = new(StringComparer.Ordinal);
    private long _updates;

    public string Name => name;

    public IReadOnlyDictionary<string, Tensor> Average => _average;

    public void Update(Module network, long imagesSeen, long batchImages)
    {
        using var scope = new TensorScope();
        using var noGrad = new NoGradScope();
        foreach ((string key, Tensor p) in network.NamedParameters())
        {
            if (!_average.TryGetValue(key, out Tensor? avg))
            {
                _average[key] = p.Detach().Clone().DetachFromScope();
            }
            else
            {
                avg.LerpInPlace(p.Detach(), 1 - decay);
            }
        }

        _updates++;
    }

    public void CopyTo(Module target) => throw new NotSupportedException();

    public void SaveState(IDictionary<string, Tensor> tensors, IDictionary<string, string> metadata, string prefix)
    {
        foreach ((string key, Tensor t) in _average) tensors[prefix + key] = t;
        metadata[prefix + "updates"] = _updates.ToString(CultureInfo.InvariantCulture);
    }

    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata, string prefix)
    {
        foreach ((string key, Tensor t) in tensors)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                _average[key[prefix.Length..]] = t.Clone().DetachFromScope();
            }
        }

        _updates = long.Parse(metadata[prefix + "updates"], CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        foreach (Tensor t in _average.Values) t.Dispose();
    }
}
