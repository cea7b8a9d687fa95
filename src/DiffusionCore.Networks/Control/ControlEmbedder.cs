using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Control;

/// <summary>
/// The embedder of control metadata (Berrada et al. 2024; docs/control-conditioning.md): each of the M control values v
/// becomes [v, sin(2^k·π·v), cos(2^k·π·v)]_{k&lt;F}, the M·(1+2F) features go through a two-layer MLP with SiLU to the
/// network's embedding width E, and the result is multiplied per sample by the gate g(σ). Absent control metadata is
/// the neutral all-zero vector (what control dropout trains and what sampling uses unless controls are asked for).
/// Plain flavour (DiT, DDPM++, ADM): keys <c>mlp.0.*</c>, <c>mlp.2.*</c>, Linear layers with N(0, 0.02²) weights and
/// zero biases. Magnitude-preserving flavour (EDM2): keys <c>mlp_in.weight</c>, <c>mlp_out.weight</c>, MPConv layers
/// and mp_silu (Karras et al. 2024, §2), so the embedding has unit magnitude like EDM2's own.
/// </summary>
public sealed class ControlEmbedder : Module
{
    private readonly Sequential? _mlp;
    private readonly MPConv? _mpIn;
    private readonly MPConv? _mpOut;
    private readonly Func<Tensor, Tensor> _sigma;

    /// <summary>Creates the embedder.</summary>
    /// <param name="options">The control path; validated here.</param>
    /// <param name="embeddingWidth">E, the width of the network's embedding vector.</param>
    /// <param name="defaultSigma">The network family's c_noise → σ, used when the options give none.</param>
    /// <param name="magnitudePreserving">True for EDM2's MPConv flavour.</param>
    /// <param name="generator">The generator of the initial weights.</param>
    /// <param name="dtype">Parameter dtype (the plain flavour; MPConv is float32).</param>
    /// <param name="device">Parameter device.</param>
    public ControlEmbedder(
        ControlConditioningOptions options, int embeddingWidth, Func<Tensor, Tensor> defaultSigma, bool magnitudePreserving,
        Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(defaultSigma);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingWidth, 1);
        options.Validate();
        Options = options;
        EmbeddingWidth = embeddingWidth;
        _sigma = options.SigmaFromNoiseLabel ?? defaultSigma;
        if (magnitudePreserving)
        {
            _mpIn = RegisterModule("mlp_in", MPConv.Linear(options.FeatureWidth, embeddingWidth, generator, device));
            _mpOut = RegisterModule("mlp_out", MPConv.Linear(embeddingWidth, embeddingWidth, generator, device));
        }
        else
        {
            var first = new Linear(options.FeatureWidth, embeddingWidth, generator: generator, dtype: dtype, device: device);
            var second = new Linear(embeddingWidth, embeddingWidth, generator: generator, dtype: dtype, device: device);
            _mlp = RegisterModule("mlp", new Sequential(first, new Silu(), second));
            foreach (Linear linear in new[] { first, second })
            {
                Init.Normal(linear.Weight, 0, 0.02, generator);
                Init.Zeros(linear.Bias!);
            }
        }
    }

    /// <summary>The control path's options.</summary>
    public ControlConditioningOptions Options { get; }

    /// <summary>E, the output width.</summary>
    public int EmbeddingWidth { get; }

    /// <summary>The sinusoidal features [v, sin(2^k·π·v), cos(2^k·π·v)] of controls <c>[B, M]</c>: <c>[B, M·(1+2F)]</c>, float32.</summary>
    public static Tensor Features(Tensor controls, int frequencies)
    {
        ArgumentNullException.ThrowIfNull(controls);
        using var scope = new TensorScope();
        Tensor v = controls.To(DType.Float32);
        var parts = new List<Tensor> { v };
        for (int k = 0; k < frequencies; k++)
        {
            Tensor angle = v.Mul(Math.PI * (1 << k));
            parts.Add(angle.Sin());
            parts.Add(angle.Cos());
        }

        return Tensor.Cat([.. parts], 1).MoveToOuterScope();
    }

    /// <summary>The gate g(σ(c_noise)) per sample, <c>[B]</c> float32.</summary>
    public Tensor Gate(Tensor noiseLabels)
    {
        ArgumentNullException.ThrowIfNull(noiseLabels);
        using var scope = new TensorScope();
        return Options.Gate.Evaluate(_sigma(noiseLabels.To(DType.Float64))).To(DType.Float32).MoveToOuterScope();
    }

    /// <summary>
    /// The control metadata of <paramref name="conditioning"/> checked to be <c>[B, M]</c>, or neutral zeros when absent.
    /// </summary>
    /// <exception cref="ArgumentException">The entry is not a float <c>[B, M]</c> matrix of this embedder's width.</exception>
    public Tensor Controls(Conditioning conditioning, long batch, Device device)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        Tensor? controls = conditioning.ControlMetadata;
        if (controls is null) return Tensor.Zeros([batch, Options.Width], DType.Float32, device);
        long[] s = controls.Shape;
        if (s.Length != 2 || s[0] != batch || s[1] != Options.Width || !controls.DType.IsFloatingPoint())
        {
            throw new ArgumentException(
                $"Control metadata must be float [B = {batch}, M = {Options.Width}] (the network's ControlConditioningOptions.Width); " +
                $"got {controls.DType} [{string.Join(", ", s)}]. Give one row of {Options.Width} control values per sample, or omit the entry for neutral controls.",
                nameof(conditioning));
        }

        return controls.Alias();
    }

    /// <summary>The ungated embedding <c>[B, E]</c> of controls <c>[B, M]</c>.</summary>
    public Tensor Embed(Tensor controls)
    {
        ArgumentNullException.ThrowIfNull(controls);
        using var scope = new TensorScope();
        Tensor features = Features(controls, Options.Frequencies);
        if (_mlp is not null)
        {
            return _mlp.Forward(features.To(((Linear)_mlp[0]).Weight.DType)).MoveToOuterScope();
        }

        return _mpOut!.Forward(MagnitudePreserving.Silu(_mpIn!.Forward(features))).MoveToOuterScope();
    }

    /// <summary>
    /// Adds the gated control embedding to a plain embedding <c>[B, E]</c>: <c>emb + g(σ)·Embed(m)</c> (DiT, DDPM++, ADM).
    /// g = 0 returns <paramref name="embedding"/>'s values exactly.
    /// </summary>
    public Tensor AddTo(Tensor embedding, Tensor noiseLabels, Conditioning conditioning)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        using var scope = new TensorScope();
        Tensor controls = Controls(conditioning, embedding.Size(0), embedding.Device);
        Tensor gate = Gate(noiseLabels).To(embedding.DType).Unsqueeze(1);
        return embedding.Add(Embed(controls).To(embedding.DType).Mul(gate)).MoveToOuterScope();
    }

    /// <summary>
    /// The magnitude-preserving sum of EDM2's embedding <c>[B, E]</c> and the control embedding with per-sample weight
    /// t = Balance·g(σ): <c>((1−t)·emb + t·ctrl)/√((1−t)² + t²)</c> (Karras et al. 2024, Eq. 88). g = 0 returns
    /// <paramref name="embedding"/>'s values exactly.
    /// </summary>
    public Tensor MagnitudePreservingSum(Tensor embedding, Tensor noiseLabels, Conditioning conditioning)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        using var scope = new TensorScope();
        Tensor controls = Controls(conditioning, embedding.Size(0), embedding.Device);
        Tensor t = Gate(noiseLabels).Mul(Options.Balance).To(embedding.DType).Unsqueeze(1);
        Tensor keep = t.RSub(1.0);
        Tensor norm = keep.Square().Add(t.Square()).Sqrt();
        return embedding.Mul(keep.Div(norm)).Add(Embed(controls).To(embedding.DType).Mul(t.Div(norm))).MoveToOuterScope();
    }
}
