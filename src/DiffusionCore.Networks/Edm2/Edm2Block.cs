using DiffusionCore.Networks.Edm;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm2;

/// <summary>
/// One magnitude-preserving EDM2 UNet block (Karras et al. 2024, Fig. 21 and Appendix B, configuration G):
/// <list type="number">
/// <item>resample; encoder flavour: 1×1 <c>conv_skip</c> when channels change, then pixel norm;</item>
/// <item>residual branch <c>y = conv_res0(mp_silu(x))</c>, <c>c = emb_linear(emb, gain = emb_gain) + 1</c>,
/// <c>y = mp_silu(y·c)</c>, dropout (training only), <c>y = conv_res1(y)</c>;</item>
/// <item>decoder flavour: <c>conv_skip</c> on x when channels change; <c>x = mp_sum(x, y, t_res)</c>;</item>
/// <item>optional cosine self-attention (<c>attn_qkv</c>, <c>attn_proj</c>) with ⌊C/ChannelsPerHead⌋ heads (none when that
/// is 0), <c>x = mp_sum(x, y, t_attn)</c>;</item>
/// <item>clamp to ±clip.</item>
/// </list>
/// Parameter names equal the reference state-dict keys: <c>emb_gain</c>, <c>conv_res0</c>, <c>emb_linear</c>,
/// <c>conv_res1</c>, <c>conv_skip</c>, <c>attn_qkv</c>, <c>attn_proj</c>.
/// </summary>
public sealed class Edm2Block : Module
{
    private readonly MPConv _convRes0;
    private readonly MPConv _embLinear;
    private readonly MPConv _convRes1;
    private readonly MPConv? _convSkip;
    private readonly MPConv? _attnQkv;
    private readonly MPConv? _attnProj;

    /// <summary>Creates a block; weights are drawn from <paramref name="generator"/> in the reference's registration order.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="embChannels">Channels of the conditioning embedding.</param>
    /// <param name="flavor">Encoder or decoder flavour.</param>
    /// <param name="resampling">Resampling applied to the input first.</param>
    /// <param name="attention">Whether the block asks for self-attention (it has ⌊outChannels/ChannelsPerHead⌋ heads, possibly none).</param>
    /// <param name="options">Balances, dropout, clamp, channels per head and resample filter (validated by the caller).</param>
    /// <param name="generator">The generator of the initial weights.</param>
    /// <param name="device">The device (<see cref="Device.Meta"/> to count parameters without allocating).</param>
    public Edm2Block(
        int inChannels, int outChannels, int embChannels, Edm2BlockFlavor flavor, Edm2Resampling resampling, bool attention,
        Edm2UNetOptions options, Generator generator, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        InChannels = inChannels;
        OutChannels = outChannels;
        Flavor = flavor;
        Resampling = resampling;
        Dropout = options.Dropout;
        ResidualBalance = options.ResidualBalance;
        AttentionBalance = options.AttentionBalance;
        ClipActivations = options.ClipActivations;
        ResampleFilter = options.ResampleFilter;
        Heads = options.AttentionHeads(outChannels, attention);
        if (Heads > 0 && outChannels % Heads != 0)
        {
            throw new ArgumentException(
                $"{outChannels} channels cannot be split evenly into ⌊{outChannels}/{options.ChannelsPerHead}⌋ = {Heads} attention heads.", nameof(options));
        }

        RegisterParameter("emb_gain", Tensor.Zeros([], DType.Float32, device));
        _convRes0 = RegisterModule("conv_res0", MPConv.Conv(flavor == Edm2BlockFlavor.Encoder ? outChannels : inChannels, outChannels, 3, generator, device));
        _embLinear = RegisterModule("emb_linear", MPConv.Linear(embChannels, outChannels, generator, device));
        _convRes1 = RegisterModule("conv_res1", MPConv.Conv(outChannels, outChannels, 3, generator, device));
        if (inChannels != outChannels)
        {
            _convSkip = RegisterModule("conv_skip", MPConv.Conv(inChannels, outChannels, 1, generator, device));
        }

        if (Heads > 0)
        {
            _attnQkv = RegisterModule("attn_qkv", MPConv.Conv(outChannels, outChannels * 3, 1, generator, device));
            _attnProj = RegisterModule("attn_proj", MPConv.Conv(outChannels, outChannels, 1, generator, device));
        }
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Encoder or decoder flavour.</summary>
    public Edm2BlockFlavor Flavor { get; }

    /// <summary>The resampling applied first.</summary>
    public Edm2Resampling Resampling { get; }

    /// <summary>The filter of the resampling.</summary>
    public ResampleFilter ResampleFilter { get; }

    /// <summary>Attention heads (0 = no attention).</summary>
    public int Heads { get; }

    /// <summary>Dropout probability in the residual branch (training only).</summary>
    public double Dropout { get; }

    /// <summary>Balance of the residual MP sum.</summary>
    public double ResidualBalance { get; }

    /// <summary>Balance of the attention MP sum.</summary>
    public double AttentionBalance { get; }

    /// <summary>The activation clamp, or null.</summary>
    public double? ClipActivations { get; }

    /// <summary>The learned gain of the embedding projection, a scalar initialised to 0.</summary>
    public Tensor EmbGain => GetParameter("emb_gain")!;

    private const double SiluGain = 1.0 / MagnitudePreserving.SiluScale;

    /// <summary>Runs the block on <c>[B, InChannels, H, W]</c> with the embedding <c>[B, E]</c>.</summary>
    /// <param name="x">The activations.</param>
    /// <param name="embedding">The block embedding.</param>
    /// <param name="dropoutGenerator">The generator of the dropout mask; required in training with <see cref="Dropout"/> &gt; 0. Not owned by the block.</param>
    public Tensor Forward(Tensor x, Tensor embedding, Generator? dropoutGenerator = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(embedding);
        using var scope = new TensorScope();
        x = Resampling.Apply(x, ResampleFilter);
        if (Flavor == Edm2BlockFlavor.Encoder)
        {
            if (_convSkip is not null) x = _convSkip.Forward(x);
            x = MagnitudePreserving.PixelNorm(x);
        }

        // Both mp_silu(·) = silu(·)/0.596 outputs feed a convolution (through dropout, which commutes with a scale), so
        // the 1/0.596 is folded into that convolution's weight: conv(silu(x)/0.596, W) = conv(silu(x), W/0.596). The same
        // maths as the MP SiLU of Karras et al. 2024 (Section 2.4), with one full pass over the activation fewer per mp_silu.
        Tensor y = _convRes0.Forward(x.Silu(), SiluGain);
        Tensor c = _embLinear.Forward(embedding, EmbGain).Add(1.0);
        y = y.Mul(c.Unsqueeze(2).Unsqueeze(3).To(y.DType)).Silu();
        if (IsTraining && Dropout > 0)
        {
            Generator generator = dropoutGenerator ?? throw new InvalidOperationException(
                $"This EDM2 block uses dropout {Dropout} in training: pass a seeded Generator as the conditioning's DropoutGenerator " +
                "(conditioning.WithDropoutGenerator(g); DiffusionTrainer passes its step's dropout stream) so that dropout masks are reproducible.");
            y = Functional.Dropout(y, Dropout, training: true, generator);
        }

        // mp_sum(x, y, t) = ((1 − t)·x + t·y) / √((1 − t)² + t²) where y is a convolution's output: y's weight t/√… is
        // folded into that convolution and x's is the alpha of one add (one pass instead of lerp + divide).
        (double residualX, double residualY) = MagnitudePreserving.SumWeights(ResidualBalance);
        y = _convRes1.Forward(y, SiluGain * residualY);
        if (Flavor == Edm2BlockFlavor.Decoder && _convSkip is not null) x = _convSkip.Forward(x);
        x = y.Add(x, residualX);
        if (_attnQkv is not null && _attnProj is not null)
        {
            (double attentionX, double attentionY) = MagnitudePreserving.SumWeights(AttentionBalance);
            y = CosineAttention.Apply(_attnQkv.Forward(x), Heads);
            x = _attnProj.Forward(y, attentionY).Add(x, attentionX);
        }

        // clip(x, −c, c) as hardtanh: the same values, and one backward kernel instead of clamp's ge/le/logical_and/where
        // (about 4× faster forward + backward, benchmarks/results/2026-11-22.md). The gradient differs
        // only where an activation equals ±c exactly, where clamp passes it and hardtanh does not. libtorch 1.13 has no
        // CPU hardtanh backward for reduced-precision dtypes, so bfloat16/float16 activations keep clamp.
        if (ClipActivations is double clip)
        {
            x = x.DType is DType.Float32 or DType.Float64 ? x.Hardtanh(-clip, clip) : x.Clamp(-clip, clip);
        }
        return x.MoveToOuterScope();
    }

    /// <inheritdoc />
    protected override string ExtraRepresentation() =>
        $"{InChannels}, {OutChannels}, flavor={Flavor}, resampling={Resampling}, heads={Heads}";
}
