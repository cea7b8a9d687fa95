using DiffusionCore.Torch;
using DiffusionCore.Data;

namespace DiffusionCore.Training.Tests.Support;

/// <summary>D(x; σ) = a·x.</summary>
internal sealed class ScalingDenoiser(double a) : IDenoiser
{
    public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning) => x * a;
}

/// <summary>D(x; σ) = a·x with a fixed per-sample log-variance.</summary>
internal sealed class FixedUncertaintyDenoiser(double a, float[] logVar) : IUncertaintyDenoiser
{
    public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning) => x * a;

    public Tensor LogVariance(Tensor sigma) => Tensor.FromArray(logVar).Reshape(-1, 1, 1, 1);
}

/// <summary>Returns a fixed output, ignoring the input (optionally a parameter with gradient).</summary>
internal sealed class FixedOutputNetwork(Tensor output) : IDiffusionNetwork
{
    public Tensor? LastInput { get; private set; }

    public Tensor? LastLabels { get; private set; }

    public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning)
    {
        LastInput = input.Detach().Clone().DetachFromScope();
        LastLabels = noiseLabels.Clone().DetachFromScope();
        return output.Alias();
    }
}

/// <summary>An in-memory dataset of random images in [−1, 1].</summary>
internal sealed class InMemoryDataset : IImageDataset, IDisposable
{
    private readonly Tensor _images;

    public InMemoryDataset(int count, int channels, int size, ulong seed)
    {
        using var g = new Generator(seed);
        using var scope = new TensorScope();
        // Smooth-ish images: a low-resolution pattern upsampled, so a small network can learn something.
        _images = (Tensor.Rand([count, channels, size, size], g) * 2 - 1).Clamp(-1, 1).MoveToOuterScope().DetachFromScope();
        Count = count;
        Channels = channels;
        Height = Width = size;
    }

    public InMemoryDataset(Tensor images)
    {
        _images = images;
        Count = (int)images.Size(0);
        Channels = (int)images.Size(1);
        Height = (int)images.Size(2);
        Width = (int)images.Size(3);
    }

    public int Count { get; }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    public int LabelCount => 0;

    public ImageBatch ReadBatch(ReadOnlySpan<int> indices)
    {
        Tensor index = Tensor.FromArray(indices.ToArray().Select(i => (long)i).ToArray());
        return new ImageBatch(_images.IndexSelect(0, index), null);
    }

    public void Dispose() => _images.Dispose();
}
