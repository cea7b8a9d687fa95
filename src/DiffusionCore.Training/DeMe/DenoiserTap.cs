using DiffusionCore.Torch;

namespace DiffusionCore.Training.DeMe;

/// <summary>
/// A denoiser that passes every call to the trained denoiser and keeps the last call's noisy input, σ, conditioning
/// and (differentiable) output, so <see cref="ConsistencyLoss"/> can compare the trained model's output with the frozen
/// model's on the same input without a second forward pass. Build the inner loss on the tap (for example
/// <c>new Edm2Loss(tap)</c>). The uncertainty head of an EDM2 denoiser is passed through.
/// </summary>
public sealed class DenoiserTap : IUncertaintyDenoiser, IDisposable
{
    private Tensor? _x;
    private Tensor? _sigma;
    private Tensor? _output;
    private Conditioning? _conditioning;

    /// <summary>Wraps the denoiser being trained.</summary>
    public DenoiserTap(IDenoiser denoiser)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        Denoiser = denoiser;
    }

    /// <summary>The denoiser being trained.</summary>
    public IDenoiser Denoiser { get; }

    /// <inheritdoc />
    public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning)
    {
        Tensor output = Denoiser.Denoise(x, sigma, conditioning);
        Clear();
        _x = x.Alias().DetachFromScope();
        _sigma = sigma.Alias().DetachFromScope();
        _output = output.Alias().DetachFromScope();
        _conditioning = conditioning;
        return output;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The tapped denoiser has no uncertainty head.</exception>
    public Tensor LogVariance(Tensor sigma) => Denoiser is IUncertaintyDenoiser u
        ? u.LogVariance(sigma)
        : throw new InvalidOperationException($"{Denoiser.GetType().Name} has no uncertainty head (IUncertaintyDenoiser); use a loss without one, such as EdmLoss.");

    /// <summary>Takes the last call's input, σ, conditioning and output; the caller disposes the tensors. Null before any call.</summary>
    internal (Tensor X, Tensor Sigma, Conditioning Conditioning, Tensor Output)? Take()
    {
        if (_x is null) return null;
        var taken = (_x, _sigma!, _conditioning!, _output!);
        _x = _sigma = _output = null;
        _conditioning = null;
        return taken;
    }

    /// <summary>Frees the tensors of the last call.</summary>
    public void Dispose() => Clear();

    private void Clear()
    {
        _x?.Dispose();
        _sigma?.Dispose();
        _output?.Dispose();
        _x = _sigma = _output = null;
        _conditioning = null;
    }
}
