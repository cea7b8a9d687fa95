using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.DiT;

/// <summary>
/// DiT's timestep embedder (Peebles &amp; Xie 2023, §3.2 "DiT block design": "a 256-dimensional frequency embedding …
/// followed by a two-layer MLP with dimensionality equal to the transformer's hidden size and SiLU activations"):
/// <c>mlp = Sequential(Linear(256, D), SiLU, Linear(D, D))</c> applied to <see cref="FrequencyEmbedding"/>.
/// State-dict keys: <c>mlp.0.weight</c>, <c>mlp.0.bias</c>, <c>mlp.2.weight</c>, <c>mlp.2.bias</c>.
/// Initialisation (reference <c>initialize_weights</c>): weights N(0, 0.02²), biases 0.
/// </summary>
public sealed class TimestepEmbedder : Module
{
    /// <summary>Number of frequency channels fed to the MLP (256 in the paper).</summary>
    public const int FrequencyEmbeddingSize = 256;

    /// <summary>The longest period of the frequency embedding (10000).</summary>
    public const double MaxPeriod = 10000.0;

    private readonly Sequential _mlp;
    private readonly Linear _first;

    /// <summary>Creates the embedder for width <paramref name="hiddenSize"/>, drawing weights from <paramref name="generator"/>.</summary>
    public TimestepEmbedder(int hiddenSize, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var first = _first = new Linear(FrequencyEmbeddingSize, hiddenSize, generator: generator, dtype: dtype, device: device);
        var second = new Linear(hiddenSize, hiddenSize, generator: generator, dtype: dtype, device: device);
        _mlp = RegisterModule("mlp", new Sequential(first, new Silu(), second));
        foreach (Linear linear in new[] { first, second })
        {
            Init.Normal(linear.Weight, 0, 0.02, generator);
            Init.Zeros(linear.Bias!);
        }
    }

    /// <summary>
    /// The sinusoidal embedding <c>[cos(t·f_0 … t·f_{h−1}), sin(t·f_0 … t·f_{h−1})]</c>, f_i = exp(−ln(10000)·i/h),
    /// h = dim/2 (cosines first, as in the reference; zero-padded by one column for odd <paramref name="dim"/>), computed
    /// in float32 from float timesteps [B]: shape [B, dim].
    /// </summary>
    public static Tensor FrequencyEmbedding(Tensor timesteps, int dim = FrequencyEmbeddingSize)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 2);
        if (timesteps.Dim != 1)
        {
            throw new ArgumentException($"Timesteps must be 1-D [B]; got shape [{string.Join(", ", timesteps.Shape)}].", nameof(timesteps));
        }

        using var scope = new TensorScope();
        int half = dim / 2;
        Tensor freqs = Tensor.Arange(0, half, 1, DType.Float32, timesteps.Device).Mul(-Math.Log(MaxPeriod) / half).Exp();   // [h]
        Tensor args = timesteps.To(DType.Float32).Unsqueeze(1).Mul(freqs.Unsqueeze(0));                                    // [B, h]
        Tensor embedding = Tensor.Cat([args.Cos(), args.Sin()], 1);
        if (dim % 2 == 1)
        {
            embedding = Tensor.Cat([embedding, embedding.Narrow(1, 0, 1).ZerosLike()], 1);
        }

        return embedding.MoveToOuterScope();
    }

    /// <summary>The embedding t_emb [B, D] of float timesteps [B].</summary>
    public Tensor Forward(Tensor timesteps)
    {
        using var scope = new TensorScope();
        Tensor frequencies = FrequencyEmbedding(timesteps);
        return _mlp.Forward(frequencies.To(_first.Weight.DType)).MoveToOuterScope();
    }
}
