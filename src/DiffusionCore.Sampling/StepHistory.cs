using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>
/// The last few tensors of a multistep solver (denoiser outputs or derivatives), kept in the run's scope across step
/// scopes; the oldest is freed when a new one exceeds the capacity, so memory stays flat. Index 0 is the newest.
/// </summary>
internal sealed class StepHistory
{
    private readonly List<Tensor> _items = [];
    private readonly int _capacity;

    public StepHistory(int capacity) => _capacity = capacity;

    public int Count => _items.Count;

    /// <summary>The entry <paramref name="back"/> pushes ago (0 = the newest).</summary>
    public Tensor this[int back] => _items[_items.Count - 1 - back];

    /// <summary>Moves <paramref name="t"/> (made in the current step scope) into the run scope and appends it.</summary>
    public void Push(Tensor t)
    {
        _items.Add(SamplerRun.Keep(t));
        if (_items.Count > _capacity)
        {
            _items[0].Dispose();
            _items.RemoveAt(0);
        }
    }
}
