namespace DiffusionCore.Sampling;

/// <summary>
/// An <see cref="IProgress{T}"/> that runs its handler inline on the reporting thread (unlike
/// <see cref="Progress{T}"/>, which posts to a synchronisation context): the right reporter for
/// <see cref="SamplerStep"/>, whose tensors live only during the call.
/// </summary>
/// <typeparam name="T">The progress payload.</typeparam>
public sealed class SynchronousProgress<T> : IProgress<T>
{
    private readonly Action<T> _handler;

    /// <summary>Creates the reporter.</summary>
    public SynchronousProgress(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
    }

    /// <inheritdoc />
    public void Report(T value) => _handler(value);
}
