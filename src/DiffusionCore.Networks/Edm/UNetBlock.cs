using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// The residual block of the EDM UNets, DDPM++/NCSN++ (Song et al. 2021) and ADM (Dhariwal &amp; Nichol 2021), as
/// described in Karras et al. 2022, App. F.2 and Fig. 13:
/// <code>
/// h = conv0(silu(norm0(x)))                      (conv0 up- or downsamples in resampling blocks)
/// p = affine(emb)
/// h = silu(norm1(h)·(1 + p_scale) + p_shift)    (adaptive scale/shift)  or  silu(norm1(h + p))
/// h = conv1(dropout(h))
/// x = (h + skip(x)) · skip_scale                 (skip: 1×1 conv / resampling when shape changes, else identity)
/// x = (proj(attention(qkv(norm2(x)))) + x) · skip_scale   (blocks with attention)
/// </code>
/// Parameters: <c>norm0</c>, <c>conv0</c>, <c>affine</c>, <c>norm1</c>, <c>conv1</c>, optional <c>skip</c>, and with
/// attention <c>norm2</c>, <c>qkv</c>, <c>proj</c>.
/// </summary>
public sealed class UNetBlock : Module
{
    private readonly GroupNorm _norm0;
    private readonly EdmConv2d _conv0;
    private readonly EdmLinear _affine;
    private readonly GroupNorm _norm1;
    private readonly EdmConv2d _conv1;
    private readonly EdmConv2d? _skip;
    private readonly GroupNorm? _norm2;
    private readonly EdmConv2d? _qkv;
    private readonly EdmConv2d? _proj;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="options">The network-wide block settings.</param>
    /// <param name="resample">Whether the block up- or downsamples by 2.</param>
    /// <param name="numHeads">Attention heads; 0 for a block without attention.</param>
    /// <param name="generator">Generator of the initial draws (the default generator when null).</param>
    /// <param name="device">Device of the parameters.</param>
    public UNetBlock(int inChannels, int outChannels, UNetBlockOptions options, ResampleMode resample = ResampleMode.None, int numHeads = 0, Generator? generator = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(numHeads);
        if (numHeads > 0 && outChannels % numHeads != 0)
        {
            throw new ArgumentException($"{outChannels} channels cannot be split into {numHeads} attention heads.", nameof(numHeads));
        }

        InChannels = inChannels;
        OutChannels = outChannels;
        Options = options;
        Resample = resample;
        NumHeads = numHeads;
        ResampleFilter filter = options.ResampleFilter;

        _norm0 = RegisterModule("norm0", EdmGroupNorm.Create(inChannels, options.Eps, device));
        _conv0 = RegisterModule("conv0", new EdmConv2d(inChannels, outChannels, 3, resample: resample, filter: filter, init: options.Init, generator: generator, device: device));
        _affine = RegisterModule("affine", new EdmLinear(options.EmbeddingChannels, outChannels * (options.AdaptiveScale ? 2 : 1), init: options.Init, generator: generator, device: device));
        _norm1 = RegisterModule("norm1", EdmGroupNorm.Create(outChannels, options.Eps, device));
        _conv1 = RegisterModule("conv1", new EdmConv2d(outChannels, outChannels, 3, init: options.InitZero, generator: generator, device: device));
        if (outChannels != inChannels || resample != ResampleMode.None)
        {
            int kernel = options.ResampleProjection || outChannels != inChannels ? 1 : 0;
            _skip = RegisterModule("skip", new EdmConv2d(inChannels, outChannels, kernel, resample: resample, filter: filter, init: options.Init, generator: generator, device: device));
        }

        if (numHeads > 0)
        {
            _norm2 = RegisterModule("norm2", EdmGroupNorm.Create(outChannels, options.Eps, device));
            _qkv = RegisterModule("qkv", new EdmConv2d(outChannels, outChannels * 3, 1, init: options.InitAttention ?? options.Init, generator: generator, device: device));
            _proj = RegisterModule("proj", new EdmConv2d(outChannels, outChannels, 1, init: options.InitZero, generator: generator, device: device));
        }
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>The block settings.</summary>
    public UNetBlockOptions Options { get; }

    /// <summary>Whether the block resamples.</summary>
    public ResampleMode Resample { get; }

    /// <summary>Attention heads (0: no attention).</summary>
    public int NumHeads { get; }

    /// <summary>Runs the block on NCHW <paramref name="input"/> conditioned on the embedding <c>[B, E]</c>.</summary>
    /// <param name="input">Features <c>[B, in, H, W]</c>.</param>
    /// <param name="embedding">The noise/label embedding <c>[B, E]</c>.</param>
    /// <param name="dropoutGenerator">Generator of the dropout mask in training (the default generator when null).</param>
    public Tensor Forward(Tensor input, Tensor embedding, Generator? dropoutGenerator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(embedding);
        using var scope = new TensorScope();
        Tensor h = _conv0.Forward(_norm0.Forward(input).Silu());
        Tensor p = _affine.Forward(embedding).Unsqueeze(2).Unsqueeze(3);
        if (p.DType != h.DType)
        {
            p = p.To(h.DType);
        }

        if (Options.AdaptiveScale)
        {
            Tensor[] scaleShift = p.Chunk(2, 1);
            h = scaleShift[1].Add(_norm1.Forward(h).Mul(scaleShift[0].Add(1.0))).Silu();
        }
        else
        {
            h = _norm1.Forward(h.Add(p)).Silu();
        }

        h = _conv1.Forward(Functional.Dropout(h, Options.Dropout, IsTraining, dropoutGenerator));
        h = h.Add(_skip is null ? input : _skip.Forward(input));
        h = ScaleSkip(h);
        if (NumHeads > 0)
        {
            Tensor a = EdmAttention.Apply(_qkv!.Forward(_norm2!.Forward(h)), NumHeads);
            h = ScaleSkip(_proj!.Forward(a).Add(h));
        }

        return h.MoveToOuterScope();
    }

    /// <inheritdoc />
    protected override string ExtraRepresentation() => $"{InChannels}, {OutChannels}, resample={Resample}, heads={NumHeads}";

    private Tensor ScaleSkip(Tensor x) => Options.SkipScale == 1 ? x : x.Mul(Options.SkipScale);
}
