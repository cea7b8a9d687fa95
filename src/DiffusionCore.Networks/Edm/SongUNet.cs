using DiffusionCore.Labels;
using DiffusionCore.Models;
using DiffusionCore.Networks.Control;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// The DDPM++ / NCSN++ UNet of Song et al. 2021 ("Score-based generative modeling through SDEs", App. H) in the form
/// used by Karras et al. 2022 ("Elucidating…", App. F.2, Table 7), with PyTorch state-dict names of the reference
/// (<c>map_noise</c>, <c>map_label</c>, <c>map_augment</c>, <c>map_layer0/1</c>, <c>enc.{r}x{r}_…</c>,
/// <c>dec.{r}x{r}_…</c>).
/// </summary>
/// <remarks>
/// Mapping network: the noise label is embedded (<see cref="EmbeddingType"/>), its [cos, sin] halves swapped to
/// [sin, cos]; a one-hot class label times √L and the augmentation labels are projected and added; two linear layers
/// with SiLU give the block embedding. Encoder per level: an input 3×3 convolution (level 0) or a downsampling block, the
/// optional skip/residual image path (<see cref="EncoderType"/>), then <see cref="SongUNetOptions.NumBlocks"/> blocks
/// (attention at <see cref="SongUNetOptions.AttentionResolutions"/>). Decoder: two blocks at the lowest resolution (the
/// first with attention), an upsampling block at the others, then NumBlocks + 1 blocks each taking a skip, attention only
/// in the last block of an attention level, and output heads (<see cref="DecoderType"/>).
/// </remarks>
public sealed class SongUNet : Module, IDiffusionNetwork, IClassConditioned, IDescribedNetwork
{
    private readonly ControlEmbedder? _control;
    private readonly ITensorModule _mapNoise;
    private readonly EdmLinear? _mapLabel;
    private readonly EdmLinear? _mapAugment;
    private readonly EdmLinear _mapLayer0;
    private readonly EdmLinear _mapLayer1;
    private readonly UNetStages _enc;
    private readonly UNetStages _dec;
    private readonly ChannelProjections? _encProj;
    private readonly ChannelProjections? _decProj;

    /// <summary>Builds the network; initial weights are drawn from <paramref name="generator"/> (the default generator when null).</summary>
    /// <param name="options">The configuration; validated first.</param>
    /// <param name="generator">Generator of the initial weights and Fourier frequencies.</param>
    /// <param name="device">Device of the parameters; <see cref="Device.Meta"/> builds shapes only (to count parameters).</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public SongUNet(SongUNetOptions options, Generator? generator = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ChannelBudget.EnsureFits(nameof(SongUNet), ChannelBudget.ParameterFloor(options.ModelChannels, options.ChannelMult, options.NumBlocks), device);
        Options = options;
        int mc = options.ModelChannels;
        int noiseCh = options.NoiseChannels;
        int embCh = options.EmbeddingChannels;
        EdmInit init = EdmInit.XavierUniform;
        var blockOptions = new UNetBlockOptions
        {
            EmbeddingChannels = embCh,
            Dropout = options.Dropout,
            SkipScale = Math.Sqrt(0.5),
            Eps = 1e-6,
            ResampleFilter = options.ResampleFilter,
            ResampleProjection = true,
            AdaptiveScale = false,
            Init = init,
            InitZero = init with { WeightScale = 1e-5 },
            InitAttention = init with { WeightScale = Math.Sqrt(0.2) },
        };

        _mapNoise = options.EmbeddingType == EmbeddingType.Positional
            ? RegisterModule("map_noise", new PositionalEmbedding(noiseCh, endpoint: true))
            : RegisterModule("map_noise", new FourierEmbedding(noiseCh, options.FourierScale, generator, device));
        _mapLabel = options.LabelDim > 0 ? RegisterModule("map_label", new EdmLinear(options.LabelDim, noiseCh, init: init, generator: generator, device: device)) : null;
        _mapAugment = options.AugmentDim > 0 ? RegisterModule("map_augment", new EdmLinear(options.AugmentDim, noiseCh, bias: false, init: init, generator: generator, device: device)) : null;
        _mapLayer0 = RegisterModule("map_layer0", new EdmLinear(noiseCh, embCh, init: init, generator: generator, device: device));
        _mapLayer1 = RegisterModule("map_layer1", new EdmLinear(embCh, embCh, init: init, generator: generator, device: device));

        _enc = RegisterModule("enc", new UNetStages());
        var skips = new List<int>();
        int cout = options.InChannels;
        int caux = options.InChannels;
        for (int level = 0; level < options.ChannelMult.Count; level++)
        {
            int res = options.ImageResolution >> level;
            if (level == 0)
            {
                int cin = cout;
                cout = mc;
                _enc.Add(res, "conv", UNetStageKind.InputConv, new EdmConv2d(cin, cout, 3, init: init, generator: generator, device: device));
                skips.Add(cout);
            }
            else
            {
                _enc.Add(res, "down", UNetStageKind.Block, new UNetBlock(cout, cout, blockOptions, ResampleMode.Down, 0, generator, device));
                skips.Add(cout);
                if (options.EncoderType == EncoderType.Skip)
                {
                    _enc.Add(res, "aux_down", UNetStageKind.AuxDown, new EdmConv2d(caux, caux, 0, resample: ResampleMode.Down, filter: options.ResampleFilter, device: device));
                    _enc.Add(res, "aux_skip", UNetStageKind.AuxSkip, new EdmConv2d(caux, cout, 1, init: init, generator: generator, device: device));
                }
                else if (options.EncoderType == EncoderType.Residual)
                {
                    _enc.Add(res, "aux_residual", UNetStageKind.AuxResidual, new EdmConv2d(
                        caux, cout, 3, resample: ResampleMode.Down, filter: options.ResampleFilter, fusedResample: true, init: init, generator: generator, device: device));
                    caux = cout;
                }
            }

            for (int i = 0; i < options.NumBlocks; i++)
            {
                int cin = cout;
                cout = mc * options.ChannelMult[level];
                int heads = options.AttentionResolutions.Contains(res) ? 1 : 0;
                _enc.Add(res, $"block{i}", UNetStageKind.Block, new UNetBlock(cin, cout, blockOptions, ResampleMode.None, heads, generator, device));
                skips.Add(cout);
            }
        }

        _dec = RegisterModule("dec", new UNetStages());
        int last = options.ChannelMult.Count - 1;
        for (int level = last; level >= 0; level--)
        {
            int res = options.ImageResolution >> level;
            if (level == last)
            {
                _dec.Add(res, "in0", UNetStageKind.Block, new UNetBlock(cout, cout, blockOptions, ResampleMode.None, 1, generator, device));
                _dec.Add(res, "in1", UNetStageKind.Block, new UNetBlock(cout, cout, blockOptions, ResampleMode.None, 0, generator, device));
            }
            else
            {
                _dec.Add(res, "up", UNetStageKind.Block, new UNetBlock(cout, cout, blockOptions, ResampleMode.Up, 0, generator, device));
            }

            for (int i = 0; i <= options.NumBlocks; i++)
            {
                int cin = cout + Pop(skips);
                cout = mc * options.ChannelMult[level];
                int heads = i == options.NumBlocks && options.AttentionResolutions.Contains(res) ? 1 : 0;
                _dec.Add(res, $"block{i}", UNetStageKind.Block, new UNetBlock(cin, cout, blockOptions, ResampleMode.None, heads, generator, device));
            }

            if (options.DecoderType == DecoderType.Skip || level == 0)
            {
                if (options.DecoderType == DecoderType.Skip && level < last)
                {
                    _dec.Add(res, "aux_up", UNetStageKind.AuxUp, new EdmConv2d(
                        options.OutChannels, options.OutChannels, 0, resample: ResampleMode.Up, filter: options.ResampleFilter, device: device));
                }

                _dec.Add(res, "aux_norm", UNetStageKind.AuxNorm, EdmGroupNorm.Create(cout, 1e-6, device));
                _dec.Add(res, "aux_conv", UNetStageKind.AuxConv, new EdmConv2d(cout, options.OutChannels, 3, init: blockOptions.InitZero, generator: generator, device: device));
            }
        }

        if (options.ChannelProjections)
        {
            _encProj = RegisterModule("enc_proj", _enc.BlockProjections(device));
            _decProj = RegisterModule("dec_proj", _dec.BlockProjections(device));
        }

        if (options.Control is { } control)
        {
            // Built last, so a network without it draws exactly the reference's initial weights.
            _control = RegisterModule("control_embedder", new ControlEmbedder(control, embCh, ControlNoiseLabels.EdmLogSigma, magnitudePreserving: false,
                generator ?? throw new ArgumentNullException(nameof(generator), "A control path draws its initial weights from an explicit generator; pass one."), device: device));
        }
    }

    /// <summary>The configuration.</summary>
    public SongUNetOptions Options { get; }

    /// <summary>How the network takes class labels (<see cref="IClassConditioned"/>): one-hot rows of <c>LabelDim</c> classes, the zero row unconditional (Karras et al. 2022, App. F.2); null when <c>LabelDim</c> is 0.</summary>
    public ClassLabelSpec? ClassLabelSpec => ClassLabelSpec.OneHot(Options.LabelDim);

    /// <summary>The registered family name, <c>SongUNetOptions.Family</c>.</summary>
    public string Family => SongUNetOptions.Family;

    /// <summary>The shape of one sample, <c>[C, H, W]</c>.</summary>
    public IReadOnlyList<int> SampleShape => [Options.InChannels, Options.ImageResolution, Options.ImageResolution];

    /// <summary>The options as stored in a model file (<see cref="SongUNetOptions.ToJson"/>).</summary>
    public System.Text.Json.JsonElement SerializeOptions() => Options.ToJson();

    /// <summary>
    /// Computes F(c_in·x; c_noise) (Karras et al. 2022, Eq. 7) for NCHW <paramref name="input"/>; class labels come from
    /// <see cref="Conditioning.ClassLabels"/> (one-hot floats or int64 indices; missing = zeros) and augmentation labels
    /// from <see cref="Conditioning.AugmentLabels"/> when <see cref="SongUNetOptions.AugmentDim"/> &gt; 0. In training, block
    /// dropout and label dropout draw from <see cref="Conditioning.DropoutGenerator"/> (the default generator when null;
    /// the trainer passes its step's dropout stream).
    /// </summary>
    /// <returns>The raw output <c>[B, OutChannels, H, W]</c>.</returns>
    /// <exception cref="ArgumentException">An input has the wrong shape.</exception>
    public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning)
    {
        long batch = UNetInputs.Validate(input, noiseLabels, conditioning, Options.InChannels, Options.ChannelMult.Count);
        using var scope = new TensorScope();
        Generator? g = conditioning.DropoutGenerator;

        Tensor emb = SinusoidalFeatures.SwapHalves(_mapNoise.Forward(noiseLabels));
        if (_mapLabel is not null)
        {
            Tensor labels = ClassLabels.OneHot(conditioning.ClassLabels, Options.LabelDim, batch, input.Device);
            if (IsTraining && Options.LabelDropout > 0)
            {
                labels = LabelDropout.Apply(labels, Options.LabelDropout, g);
            }

            emb = emb.Add(_mapLabel.Forward(labels.Mul(Math.Sqrt(Options.LabelDim))));
        }

        if (_mapAugment is not null && EdmConditioningInputs.AugmentLabels(conditioning, Options.AugmentDim, batch) is { } augment)
        {
            emb = emb.Add(_mapAugment.Forward(augment));
        }

        emb = _mapLayer0.Forward(emb).Silu();
        emb = ControlEmbedding.Add(_control, _mapLayer1.Forward(emb), noiseLabels, conditioning).Silu();

        var skips = new List<Tensor>();
        Tensor x = input;
        Tensor aux = input;
        foreach ((UNetStageKind kind, Module module) in _enc.Stages)
        {
            switch (kind)
            {
                case UNetStageKind.AuxDown:
                    aux = ((EdmConv2d)module).Forward(aux);
                    break;
                case UNetStageKind.AuxSkip:
                    x = x.Add(((EdmConv2d)module).Forward(aux));
                    skips[^1] = x;
                    break;
                case UNetStageKind.AuxResidual:
                    x = x.Add(((EdmConv2d)module).Forward(aux)).Div(Math.Sqrt(2));
                    skips[^1] = x;
                    aux = x;
                    break;
                case UNetStageKind.InputConv:
                    x = ((EdmConv2d)module).Forward(x);
                    skips.Add(x);
                    break;
                default:
                    x = ((UNetBlock)module).Forward(x, emb, g);
                    if (_encProj is not null) x = _encProj.Apply(module, x);
                    skips.Add(x);
                    break;
            }
        }

        Tensor? output = null;
        Tensor? head = null;
        foreach ((UNetStageKind kind, Module module) in _dec.Stages)
        {
            switch (kind)
            {
                case UNetStageKind.AuxUp:
                    output = ((EdmConv2d)module).Forward(output!);
                    break;
                case UNetStageKind.AuxNorm:
                    head = ((GroupNorm)module).Forward(x);
                    break;
                case UNetStageKind.AuxConv:
                    head = ((EdmConv2d)module).Forward(head!.Silu());
                    output = output is null ? head : head.Add(output);
                    break;
                default:
                    var block = (UNetBlock)module;
                    if (x.Size(1) != block.InChannels)
                    {
                        x = Tensor.Cat([x, Pop(skips)], 1);
                    }

                    x = block.Forward(x, emb, g);
                    if (_decProj is not null) x = _decProj.Apply(block, x);
                    break;
            }
        }

        return output!.MoveToOuterScope();
    }

    private static T Pop<T>(List<T> list)
    {
        T item = list[^1];
        list.RemoveAt(list.Count - 1);
        return item;
    }
}
