using DiffusionCore.Torch;

namespace DiffusionCore;

/// <summary>
/// Decorates a denoiser and counts its calls and the samples it evaluated: the network function evaluations (NFE)
/// of a sampler (Karras et al. 2022, Table 1: "NFE"). The count is explicit state of this object, never hidden in a sampler.
/// </summary>
public sealed class CountingDenoiser : IDenoiser
{
    private readonly IDenoiser _inner;
    private long _calls;
    private long _samples;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public CountingDenoiser(IDenoiser inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <summary>Number of <see cref="Denoise"/> calls so far.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Total batch rows evaluated so far (a batched guidance call of 2B rows counts 2B).</summary>
    public long SamplesEvaluated => Interlocked.Read(ref _samples);

    /// <summary>Resets both counters to zero.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _calls, 0);
        Interlocked.Exchange(ref _samples, 0);
    }

    /// <inheritdoc />
    public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning)
    {
        ArgumentNullException.ThrowIfNull(x);
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _samples, x.Size(0));
        return _inner.Denoise(x, sigma, conditioning);
    }
}
