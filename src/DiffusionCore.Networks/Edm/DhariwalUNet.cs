using DiffusionCore.Labels;
using DiffusionCore.Models;
using DiffusionCore.Networks.Control;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// The ADM UNet of Dhariwal &amp; Nichol 2021 ("Diffusion models beat GANs on image synthesis", §3) in the form used by
/// Karras et al. 2022 ("Elucidating…", App. F.2, Table 7), with the PyTorch state-dict names of the reference
/// (<c>map_noise</c>, <c>map_augment</c>, <c>map_layer0/1</c>, <c>map_label</c>, <c>enc.{r}x{r}_…</c>,
/// <c>dec.{r}x{r}_…</c>, <c>out_norm</c>, <c>out_conv</c>).
/// </summary>
/// <remarks>
/// Mapping network: positional embedding of the noise label (no endpoint), plus the projected augmentation labels, a
/// linear layer with SiLU and a linear layer, plus the projected one-hot class label (no bias), then SiLU. Blocks use
/// adaptive scale/shift (adaptive group normalisation), skip scale 1, ε = 10⁻⁵, parameter-free resampling skips, and
/// attention with ⌊C/64⌋ heads in every block at <see cref="DhariwalUNetOptions.AttentionResolutions"/> (encoder and
/// decoder) and in the first block at the lowest resolution (no attention there when it has fewer than 64 channels, as in
/// the reference). Output: group norm, SiLU, 3×3 convolution.
/// </remarks>
public sealed class DhariwalUNet : Module, IDiffusionNetwork, IClassConditioned, IDescribedNetwork
{
    private readonly ControlEmbedder? _control;
    private readonly PositionalEmbedding _mapNoise;
    private readonly EdmLinear? _mapAugment;
    private readonly EdmLinear _mapLayer0;
    private readonly EdmLinear _mapLayer1;
    private readonly EdmLinear? _mapLabel;
    private readonly UNetStages _enc;
    private readonly UNetStages _dec;
    private readonly ChannelProjections? _encProj;
    private readonly ChannelProjections? _decProj;
    private readonly GroupNorm _outNorm;
    private readonly EdmConv2d _outConv;

    /// <summary>Builds the network; initial weights are drawn from <paramref name="generator"/> (the default generator when null).</summary>
    /// <param name="options">The configuration; validated first.</param>
    /// <param name="generator">Generator of the initial weights.</param>
    /// <param name="device">Device of the parameters; <see cref="Device.Meta"/> builds shapes only (to count parameters).</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public DhariwalUNet(DhariwalUNetOptions options, Generator? generator = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ChannelBudget.EnsureFits(nameof(DhariwalUNet), ChannelBudget.ParameterFloor(options.ModelChannels, options.ChannelMult, options.NumBlocks), device);
        Options = options;
        int mc = options.ModelChannels;
        int embCh = options.EmbeddingChannels;
        var init = new EdmInit(EdmInitMode.KaimingUniform, Math.Sqrt(1.0 / 3), Math.Sqrt(1.0 / 3));
        var initZero = new EdmInit(EdmInitMode.KaimingUniform, 0, 0);
        var blockOptions = new UNetBlockOptions
        {
            EmbeddingChannels = embCh,
            Dropout = options.Dropout,
            SkipScale = 1,
            Eps = 1e-5,
            ResampleFilter = ResampleFilter.Box,
            ResampleProjection = false,
            AdaptiveScale = true,
            Init = init,
            InitZero = initZero,
        };

        _mapNoise = RegisterModule("map_noise", new PositionalEmbedding(mc));
        _mapAugment = options.AugmentDim > 0 ? RegisterModule("map_augment", new EdmLinear(options.AugmentDim, mc, bias: false, init: initZero, generator: generator, device: device)) : null;
        _mapLayer0 = RegisterModule("map_layer0", new EdmLinear(mc, embCh, init: init, generator: generator, device: device));
        _mapLayer1 = RegisterModule("map_layer1", new EdmLinear(embCh, embCh, init: init, generator: generator, device: device));
        _mapLabel = options.LabelDim > 0
            ? RegisterModule("map_label", new EdmLinear(
                options.LabelDim, embCh, bias: false, init: new EdmInit(EdmInitMode.KaimingNormal, Math.Sqrt(options.LabelDim)), generator: generator, device: device))
            : null;

        _enc = RegisterModule("enc", new UNetStages());
        var skips = new List<int>();
        int cout = options.InChannels;
        for (int level = 0; level < options.ChannelMult.Count; level++)
        {
            int res = options.ImageResolution >> level;
            if (level == 0)
            {
                int cin = cout;
                cout = mc * options.ChannelMult[level];
                _enc.Add(res, "conv", UNetStageKind.InputConv, new EdmConv2d(cin, cout, 3, init: init, generator: generator, device: device));
            }
            else
            {
                _enc.Add(res, "down", UNetStageKind.Block, new UNetBlock(cout, cout, blockOptions, ResampleMode.Down, 0, generator, device));
            }

            skips.Add(cout);
            for (int i = 0; i < options.NumBlocks; i++)
            {
                int cin = cout;
                cout = mc * options.ChannelMult[level];
                _enc.Add(res, $"block{i}", UNetStageKind.Block, new UNetBlock(cin, cout, blockOptions, ResampleMode.None, Heads(res, cout), generator, device));
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
                _dec.Add(res, "in0", UNetStageKind.Block, new UNetBlock(cout, cout, blockOptions, ResampleMode.None, options.AttentionHeads(cout, attention: true), generator, device));
                _dec.Add(res, "in1", UNetStageKind.Block, new UNetBlock(cout, cout, blockOptions, ResampleMode.None, 0, generator, device));
            }
            else
            {
                _dec.Add(res, "up", UNetStageKind.Block, new UNetBlock(cout, cout, blockOptions, ResampleMode.Up, 0, generator, device));
            }

            for (int i = 0; i <= options.NumBlocks; i++)
            {
                int cin = cout + skips[^1];
                skips.RemoveAt(skips.Count - 1);
                cout = mc * options.ChannelMult[level];
                _dec.Add(res, $"block{i}", UNetStageKind.Block, new UNetBlock(cin, cout, blockOptions, ResampleMode.None, Heads(res, cout), generator, device));
            }
        }

        _outNorm = RegisterModule("out_norm", EdmGroupNorm.Create(cout, 1e-5, device));
        _outConv = RegisterModule("out_conv", new EdmConv2d(cout, options.OutChannels, 3, init: initZero, generator: generator, device: device));
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
    public DhariwalUNetOptions Options { get; }

    /// <summary>How the network takes class labels (<see cref="IClassConditioned"/>): one-hot rows of <c>LabelDim</c> classes, the zero row unconditional (Karras et al. 2022, App. F.2); null when <c>LabelDim</c> is 0.</summary>
    public ClassLabelSpec? ClassLabelSpec => ClassLabelSpec.OneHot(Options.LabelDim);

    /// <summary>The registered family name, <c>DhariwalUNetOptions.Family</c>.</summary>
    public string Family => DhariwalUNetOptions.Family;

    /// <summary>The shape of one sample, <c>[C, H, W]</c>.</summary>
    public IReadOnlyList<int> SampleShape => [Options.InChannels, Options.ImageResolution, Options.ImageResolution];

    /// <summary>The options as stored in a model file (<see cref="DhariwalUNetOptions.ToJson"/>).</summary>
    public System.Text.Json.JsonElement SerializeOptions() => Options.ToJson();

    /// <summary>
    /// Computes F(c_in·x; c_noise) (Karras et al. 2022, Eq. 7) for NCHW <paramref name="input"/>; class labels come from
    /// <see cref="Conditioning.ClassLabels"/> (one-hot floats or int64 indices; missing = zeros) and augmentation labels
    /// from <see cref="Conditioning.AugmentLabels"/> when <see cref="DhariwalUNetOptions.AugmentDim"/> &gt; 0. In training, block
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

        Tensor emb = _mapNoise.Forward(noiseLabels);
        if (_mapAugment is not null && EdmConditioningInputs.AugmentLabels(conditioning, Options.AugmentDim, batch) is { } augment)
        {
            emb = emb.Add(_mapAugment.Forward(augment));
        }

        emb = _mapLayer0.Forward(emb).Silu();
        emb = _mapLayer1.Forward(emb);
        if (_mapLabel is not null)
        {
            Tensor labels = ClassLabels.OneHot(conditioning.ClassLabels, Options.LabelDim, batch, input.Device);
            if (IsTraining && Options.LabelDropout > 0)
            {
                labels = LabelDropout.Apply(labels, Options.LabelDropout, g);
            }

            emb = emb.Add(_mapLabel.Forward(labels));
        }

        emb = ControlEmbedding.Add(_control, emb, noiseLabels, conditioning).Silu();

        var skips = new List<Tensor>();
        Tensor x = input;
        foreach ((UNetStageKind kind, Module module) in _enc.Stages)
        {
            x = kind == UNetStageKind.InputConv ? ((EdmConv2d)module).Forward(x) : ((UNetBlock)module).Forward(x, emb, g);
            if (_encProj is not null) x = _encProj.Apply(module, x);
            skips.Add(x);
        }

        foreach ((_, Module module) in _dec.Stages)
        {
            var block = (UNetBlock)module;
            if (x.Size(1) != block.InChannels)
            {
                x = Tensor.Cat([x, skips[^1]], 1);
                skips.RemoveAt(skips.Count - 1);
            }

            x = block.Forward(x, emb, g);
            if (_decProj is not null) x = _decProj.Apply(block, x);
        }

        return _outConv.Forward(_outNorm.Forward(x).Silu()).MoveToOuterScope();
    }

    private int Heads(int resolution, int channels) => Options.AttentionHeads(channels, Options.AttentionResolutions.Contains(resolution));
}
