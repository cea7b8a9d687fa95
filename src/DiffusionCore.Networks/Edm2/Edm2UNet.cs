using DiffusionCore.Labels;
using DiffusionCore.Models;
using DiffusionCore.Networks.Control;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm2;

/// <summary>
/// The EDM2 magnitude-preserving UNet F(c_in·x; c_noise, labels) (Karras et al. 2024, "Analyzing and Improving the
/// Training Dynamics of Diffusion Models", Section 2 and Fig. 21, configuration G). Embedding
/// <c>emb = mp_silu(mp_sum(emb_noise(emb_fourier(c_noise)), emb_label(onehot·√L), t_label))</c>; the input gets a
/// constant ones channel; the encoder is a 3×3 <c>conv</c> then per level a <c>down</c> block (except level 0) and
/// <c>NumBlocks</c> blocks; the decoder has <c>in0</c> (asking for attention) and <c>in1</c> at the lowest level, then per
/// level an <c>up</c> block (except the lowest) and <c>NumBlocks + 1</c> blocks, each after <c>mp_cat(x, skip, t_cat)</c>;
/// the output is a 3×3 MPConv with learned gain <c>out_gain</c> initialised to 0, so F = 0 at initialisation.
/// State-dict keys equal the reference's (<c>out_gain</c>, <c>emb_fourier.*</c>, <c>emb_noise.weight</c>,
/// <c>emb_label.weight</c>, <c>enc.{r}x{r}_conv|_down|_block{i}.*</c>, <c>dec.{r}x{r}_in0|_in1|_up|_block{i}.*</c>,
/// <c>out_conv.weight</c>); with <see cref="Edm2UNetOptions.ChannelProjections"/> the DeMe projections follow as
/// <c>enc_proj.*</c> and <c>dec_proj.*</c> (<see cref="ChannelProjections"/>).
/// </summary>
public sealed class Edm2UNet : Module, IDiffusionNetwork, IClassConditioned, IDescribedNetwork
{
    private readonly MPFourier _embFourier;
    private readonly MPConv _embNoise;
    private readonly MPConv? _embLabel;
    private readonly MPConv _encConv;
    private readonly List<Edm2Block> _encBlocks = [];
    private readonly ChannelProjections? _encProj;
    private readonly ChannelProjections? _decProj;
    private readonly List<(Edm2Block Block, bool TakesSkip)> _decBlocks = [];
    private readonly MPConv _outConv;
    private readonly ControlEmbedder? _control;

    /// <summary>
    /// Builds the UNet. Weights and Fourier buffers are drawn from <paramref name="generator"/> in the reference's
    /// registration order.
    /// </summary>
    /// <param name="options">The architecture; validated here.</param>
    /// <param name="generator">The generator of every initial weight and Fourier buffer.</param>
    /// <param name="device">The device (<see cref="Device.Meta"/> to count parameters without allocating).</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public Edm2UNet(Edm2UNetOptions options, Generator generator, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        options.Validate();
        ChannelBudget.EnsureFits(nameof(Edm2UNet), ChannelBudget.ParameterFloor(options.ModelChannels, options.ChannelMult, options.NumBlocks), device);
        Options = options;
        IReadOnlyList<int> cblock = options.LevelChannels;
        int cemb = options.EmbeddingChannels;

        RegisterParameter("out_gain", Tensor.Zeros([], DType.Float32, device));
        _embFourier = RegisterModule("emb_fourier", new MPFourier(options.NoiseChannels, generator, device));
        _embNoise = RegisterModule("emb_noise", MPConv.Linear(options.NoiseChannels, cemb, generator, device));
        if (options.LabelDim > 0)
        {
            _embLabel = RegisterModule("emb_label", MPConv.Linear(options.LabelDim, cemb, generator, device));
        }

        var enc = RegisterModule("enc", new Edm2ModuleDictionary());
        var skips = new Stack<int>();
        int top = options.ImgResolution;
        _encConv = enc.Add($"{top}x{top}_conv", MPConv.Conv(options.ImgChannels + 1, cblock[0], 3, generator, device));
        int cout = cblock[0];
        for (int level = 0; level < options.Levels; level++)
        {
            int res = options.LevelResolution(level);
            if (level > 0)
            {
                _encBlocks.Add(enc.Add($"{res}x{res}_down", new Edm2Block(cout, cout, cemb, Edm2BlockFlavor.Encoder, Edm2Resampling.Down, false, options, generator, device)));
            }

            skips.Push(cout);
            bool attention = options.AttentionResolutions.Contains(res);
            for (int i = 0; i < options.NumBlocks; i++)
            {
                _encBlocks.Add(enc.Add($"{res}x{res}_block{i}", new Edm2Block(cout, cblock[level], cemb, Edm2BlockFlavor.Encoder, Edm2Resampling.None, attention, options, generator, device)));
                cout = cblock[level];
                skips.Push(cout);
            }
        }

        var dec = RegisterModule("dec", new Edm2ModuleDictionary());
        for (int level = options.Levels - 1; level >= 0; level--)
        {
            int res = options.LevelResolution(level);
            if (level == options.Levels - 1)
            {
                _decBlocks.Add((dec.Add($"{res}x{res}_in0", new Edm2Block(cout, cout, cemb, Edm2BlockFlavor.Decoder, Edm2Resampling.None, true, options, generator, device)), false));
                _decBlocks.Add((dec.Add($"{res}x{res}_in1", new Edm2Block(cout, cout, cemb, Edm2BlockFlavor.Decoder, Edm2Resampling.None, false, options, generator, device)), false));
            }
            else
            {
                _decBlocks.Add((dec.Add($"{res}x{res}_up", new Edm2Block(cout, cout, cemb, Edm2BlockFlavor.Decoder, Edm2Resampling.Up, false, options, generator, device)), false));
            }

            bool attention = options.AttentionResolutions.Contains(res);
            for (int i = 0; i <= options.NumBlocks; i++)
            {
                int cin = cout + skips.Pop();
                _decBlocks.Add((dec.Add($"{res}x{res}_block{i}", new Edm2Block(cin, cblock[level], cemb, Edm2BlockFlavor.Decoder, Edm2Resampling.None, attention, options, generator, device)), true));
                cout = cblock[level];
            }
        }

        _outConv = RegisterModule("out_conv", MPConv.Conv(cout, options.ImgChannels, 3, generator, device));
        if (options.ChannelProjections)
        {
            _encProj = RegisterModule("enc_proj", new ChannelProjections());
            _decProj = RegisterModule("dec_proj", new ChannelProjections());
            foreach ((string name, Module block) in enc.NamedChildren())
            {
                if (block is Edm2Block b) _encProj.Add(name, b, b.OutChannels, device);
            }

            foreach ((string name, Module block) in dec.NamedChildren())
            {
                _decProj.Add(name, block, ((Edm2Block)block).OutChannels, device);
            }
        }

        if (options.Control is { } control)
        {
            // Built last, so a UNet without it draws exactly the reference's initial weights.
            _control = RegisterModule("control_embedder", new ControlEmbedder(control, cemb, ControlNoiseLabels.EdmLogSigma, magnitudePreserving: true, generator, device: device));
        }
    }

    /// <summary>The architecture.</summary>
    public Edm2UNetOptions Options { get; }

    /// <summary>How the network takes class labels (<see cref="IClassConditioned"/>): one-hot rows of <c>LabelDim</c> classes, the zero row unconditional (Karras et al. 2024, §2); null when <c>LabelDim</c> is 0.</summary>
    public ClassLabelSpec? ClassLabelSpec => ClassLabelSpec.OneHot(Options.LabelDim);

    /// <summary>The registered family name, <c>Edm2UNetOptions.Family</c>.</summary>
    public string Family => Edm2UNetOptions.Family;

    /// <summary>The shape of one sample, <c>[C, H, W]</c>.</summary>
    public IReadOnlyList<int> SampleShape => [Options.ImgChannels, Options.ImgResolution, Options.ImgResolution];

    /// <summary>The options as stored in a model file (<see cref="Edm2UNetOptions.ToJson"/>).</summary>
    public System.Text.Json.JsonElement SerializeOptions() => Options.ToJson();

    /// <summary>The learned output gain, a scalar initialised to 0 (so the raw output is 0 at initialisation).</summary>
    public Tensor OutGain => GetParameter("out_gain")!;

    /// <summary>
    /// Runs the UNet. Class labels come from <see cref="Conditioning.ClassLabels"/>: float one-hot (or soft) vectors
    /// <c>[B, LabelDim]</c>, or int64 class indices <c>[B]</c> in [0, LabelDim) that are one-hot encoded; absent labels
    /// mean the unconditional (all-zero) label. In training with <see cref="Edm2UNetOptions.Dropout"/> &gt; 0 the dropout
    /// masks are drawn from <see cref="Conditioning.DropoutGenerator"/>, which is then required.
    /// </summary>
    /// <param name="input">The scaled input <c>c_in·x</c>, <c>[B, ImgChannels, H, W]</c> with H and W divisible by 2^(levels − 1).</param>
    /// <param name="noiseLabels">The noise labels <c>c_noise = ln(σ)/4</c>, <c>[B]</c>.</param>
    /// <param name="conditioning">The conditioning (class labels).</param>
    /// <returns>The raw output F, <c>[B, ImgChannels, H, W]</c>.</returns>
    /// <exception cref="ArgumentException">An input has the wrong shape or dtype; the message says which.</exception>
    public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        ValidateInput(input, noiseLabels);
        using var scope = new TensorScope();
        Tensor? labels = ResolveLabels(conditioning.ClassLabels, input.Size(0), input.Device);
        return ForwardCore(input, noiseLabels, labels, conditioning, conditioning.DropoutGenerator).MoveToOuterScope();
    }

    /// <summary>
    /// Runs the UNet with explicit one-hot labels <c>[B, LabelDim]</c> or <c>[1, LabelDim]</c> (or null when
    /// <see cref="Edm2UNetOptions.LabelDim"/> is 0), as the reference's <c>forward(x, noise_labels, class_labels)</c>.
    /// </summary>
    /// <param name="input">The scaled input <c>c_in·x</c>.</param>
    /// <param name="noiseLabels">The noise labels <c>[B]</c>.</param>
    /// <param name="classLabels">The one-hot labels, or null for an unconditional UNet.</param>
    /// <param name="dropoutGenerator">The generator of the dropout masks; required in training with dropout &gt; 0.</param>
    public Tensor Forward(Tensor input, Tensor noiseLabels, Tensor? classLabels, Generator? dropoutGenerator = null) =>
        ForwardCore(input, noiseLabels, classLabels, null, dropoutGenerator);

    private Tensor ForwardCore(Tensor input, Tensor noiseLabels, Tensor? classLabels, Conditioning? conditioning, Generator? dropoutGenerator)
    {
        ValidateInput(input, noiseLabels);
        if (_embLabel is null && classLabels is not null)
        {
            throw new ArgumentException("This EDM2 UNet is unconditional (LabelDim 0); pass null labels.", nameof(classLabels));
        }

        using var scope = new TensorScope();
        Tensor emb = _embNoise.Forward(_embFourier.Forward(noiseLabels));
        if (_embLabel is not null)
        {
            if (classLabels is null)
            {
                throw new ArgumentException($"This UNet is class-conditional (LabelDim {Options.LabelDim}): give labels [B, {Options.LabelDim}] (zeros = unconditional).", nameof(classLabels));
            }

            ClassLabels.CheckRows(classLabels, Options.LabelDim, input.Size(0));

            emb = MagnitudePreserving.Sum(emb, _embLabel.Forward(classLabels.Mul(Math.Sqrt(classLabels.Size(1)))), Options.LabelBalance);
        }

        emb = ControlEmbedding.MagnitudePreservingSum(_control, emb, noiseLabels, conditioning);
        emb = MagnitudePreserving.Silu(emb);

        Tensor x = Tensor.Cat([input, input.Narrow(1, 0, 1).OnesLike()], 1);
        var skips = new Stack<Tensor>();
        x = _encConv.Forward(x);
        skips.Push(x);
        foreach (Edm2Block block in _encBlocks)
        {
            x = block.Forward(x, emb, dropoutGenerator);
            if (_encProj is not null) x = _encProj.Apply(block, x);
            skips.Push(x);
        }

        foreach ((Edm2Block block, bool takesSkip) in _decBlocks)
        {
            if (takesSkip) x = MagnitudePreserving.Cat(x, skips.Pop(), Options.ConcatBalance);
            x = block.Forward(x, emb, dropoutGenerator);
            if (_decProj is not null) x = _decProj.Apply(block, x);
        }

        return _outConv.Forward(x, OutGain).MoveToOuterScope();
    }

    private Tensor? ResolveLabels(Tensor? labels, long batch, Device device)
    {
        if (Options.LabelDim > 0)
        {
            return ClassLabels.OneHot(labels, Options.LabelDim, batch, device);
        }

        return labels is null
            ? null
            : throw new ArgumentException(
                "This EDM2 UNet is unconditional (LabelDim 0) but the conditioning has class labels; remove them or build the network with LabelDim > 0.");
    }

    private void ValidateInput(Tensor input, Tensor noiseLabels)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(noiseLabels);
        long[] s = input.Shape;
        if (s.Length != 4 || s[1] != Options.ImgChannels)
        {
            throw new ArgumentException(
                $"The EDM2 UNet expects input [B, {Options.ImgChannels}, H, W]; got [{string.Join(", ", s)}].", nameof(input));
        }

        if (!input.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"The EDM2 UNet input must be floating point; got {input.DType}.", nameof(input));
        }

        int factor = 1 << (Options.Levels - 1);
        if (s[2] % factor != 0 || s[3] % factor != 0 || s[2] == 0 || s[3] == 0)
        {
            throw new ArgumentException(
                $"The EDM2 UNet with {Options.Levels} levels needs H and W divisible by {factor}; got {s[2]}×{s[3]}.", nameof(input));
        }

        long[] n = noiseLabels.Shape;
        if (n.Length != 1 || n[0] != s[0])
        {
            throw new ArgumentException($"noiseLabels must hold one value per sample, shape [{s[0]}]; got [{string.Join(", ", n)}].", nameof(noiseLabels));
        }
    }
}
