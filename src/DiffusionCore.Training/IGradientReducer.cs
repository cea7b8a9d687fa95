using DiffusionCore.Torch;

namespace DiffusionCore.Training;

/// <summary>
/// The one place where a <see cref="DiffusionTrainer"/> reduces gradients across workers, called once per step after
/// every accumulation round and before gradients are made finite, clipped and applied. A data-parallel implementation
/// all-reduces (averages) each parameter's gradient here; <see cref="LocalGradientReducer"/> does nothing.
/// </summary>
public interface IGradientReducer
{
    /// <summary>Reduces the gradients of <paramref name="parameters"/> in place.</summary>
    /// <param name="parameters">The trained parameters, in a fixed order.</param>
    /// <param name="localImages">Images this worker contributed to the step.</param>
    void Reduce(IReadOnlyList<Tensor> parameters, long localImages);
}

/// <summary>Single-process training: gradients stay as they are.</summary>
public sealed class LocalGradientReducer : IGradientReducer
{
    /// <summary>The shared instance.</summary>
    public static LocalGradientReducer Instance { get; } = new();

    /// <inheritdoc />
    public void Reduce(IReadOnlyList<Tensor> parameters, long localImages)
    {
    }
}
