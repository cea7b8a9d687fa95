using DiffusionCore.Models;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.UViT;

/// <summary>
/// U-ViT (Bao et al. 2023, "All are Worth Words: A ViT Backbone for Diffusion Models", §3 and Fig. 1), the backbone of
/// MaskDM (Lei et al. 2023; docs/recipes.md §4): patch tokens (p×p convolution, stride p) with a time token (the
/// sinusoidal features of the timestep, optionally through an MLP) and, when class-conditional, a label token prepended;
/// a learned position embedding over all tokens; depth/2 in-blocks, a mid-block and depth/2 out-blocks, out-block i fusing
/// the output of in-block depth/2 − 1 − i through a long skip; a final LayerNorm, a linear head to p²·C per token,
/// unpatchify, and an optional 3×3 convolution. The raw output is an ε-prediction (DDPM convention) or any other target the
/// loss chooses.
/// </summary>
/// <remarks>
/// Parameter names are the reference <c>state_dict</c> keys (<c>patch_embed.proj.*</c>, <c>time_embed.0/2.*</c> with
/// <see cref="UViTOptions.MlpTimeEmbed"/>, <c>label_emb.weight</c>, <c>pos_embed</c> [1, extras + T, D],
/// <c>in_blocks.{i}.*</c>, <c>mid_block.*</c>, <c>out_blocks.{i}.*</c> with <c>skip_linear.*</c>, <c>norm.*</c>,
/// <c>decoder_pred.*</c>, <c>final_layer.*</c>), so a reference checkpoint exported to safetensors loads by key name.
/// Token order: [label token,] time token, patch tokens row by row (the reference's). Wrapped in a
/// <c>PreconditionedModule&lt;UViTNetwork&gt;</c> it saves as a self-describing model file (family <c>uvit</c>) that
/// <c>DiffusionModel.Load</c> rebuilds.
/// </remarks>
public sealed class UViTNetwork : Module, IKeptTokenNetwork, IDescribedNetwork
{
    private const string PositionEmbeddingName = "pos_embed";

    private readonly PatchEmbed _patchEmbed;
    private readonly Sequential? _timeEmbed;
    private readonly Embedding? _labelEmb;
    private readonly ModuleList<UViTBlock> _inBlocks;
    private readonly UViTBlock _midBlock;
    private readonly ModuleList<UViTBlock> _outBlocks;
    private readonly LayerNorm _norm;
    private readonly Linear _decoderPred;
    private readonly Conv2d? _finalLayer;

    /// <summary>
    /// Builds the network, drawing every initial value from <paramref name="generator"/> as the reference does: the
    /// position embedding and every linear weight N(0, 0.02²) with zero biases, LayerNorms at weight 1 and bias 0, the
    /// label table N(0, 1), the patch and final convolutions with PyTorch's default initialisation.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public UViTNetwork(UViTOptions options, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        options.Validate();
        Options = options;
        int d = options.EmbedDim;
        _patchEmbed = RegisterModule("patch_embed", new PatchEmbed(options.PatchSize, options.InChannels, d, generator, dtype, device));
        if (options.MlpTimeEmbed)
        {
            _timeEmbed = RegisterModule("time_embed", new Sequential(
                UViTInit.Linear(d, 4 * d, true, generator, dtype, device), new Silu(), UViTInit.Linear(4 * d, d, true, generator, dtype, device)));
        }

        if (options.NumClasses > 0)
        {
            _labelEmb = RegisterModule("label_emb", new Embedding(options.NumClasses, d, generator, dtype, device));
        }

        Tensor pos = Tensor.Zeros([1, options.Extras + options.NumPatches, d], dtype, device);
        Init.Normal(pos, 0, UViTInit.Std, generator);
        RegisterParameter(PositionEmbeddingName, pos);
        _inBlocks = RegisterModule("in_blocks", new ModuleList<UViTBlock>());
        for (int i = 0; i < options.Depth / 2; i++) _inBlocks.Add(new UViTBlock(options, skip: false, generator, dtype, device));
        _midBlock = RegisterModule("mid_block", new UViTBlock(options, skip: false, generator, dtype, device));
        _outBlocks = RegisterModule("out_blocks", new ModuleList<UViTBlock>());
        for (int i = 0; i < options.Depth / 2; i++) _outBlocks.Add(new UViTBlock(options, options.Skip, generator, dtype, device));
        _norm = RegisterModule("norm", new LayerNorm(d, dtype: dtype, device: device));
        _decoderPred = RegisterModule("decoder_pred", UViTInit.Linear(d, TokenOutputSize, true, generator, dtype, device));
        if (options.FinalConv)
        {
            _finalLayer = RegisterModule("final_layer", new Conv2d(
                options.InChannels, options.InChannels, 3, padding: 1, generator: generator, dtype: dtype, device: device));
        }
    }

    /// <summary>The architecture.</summary>
    public UViTOptions Options { get; }

    /// <summary>The registered family name, <c>UViTOptions.Family</c>.</summary>
    public string Family => UViTOptions.Family;

    /// <summary>The shape of one sample, <c>[C, H, W]</c>.</summary>
    public IReadOnlyList<int> SampleShape => [Options.InChannels, Options.ImageSize, Options.ImageSize];

    /// <summary>The options as stored in a model file (<see cref="UViTOptions.ToJson"/>).</summary>
    public System.Text.Json.JsonElement SerializeOptions() => Options.ToJson();

    /// <inheritdoc />
    public int PatchSize => Options.PatchSize;

    /// <inheritdoc />
    public int GridSize => Options.GridSize;

    /// <summary>Width p²·C of each output token.</summary>
    public int TokenOutputSize => Options.PatchSize * Options.PatchSize * Options.InChannels;

    /// <summary>The learned position embedding <c>pos_embed</c> [1, extras + T, D].</summary>
    public Tensor PositionEmbeddingParameter => GetParameter(PositionEmbeddingName)!;

    /// <summary>
    /// The output [B, C, H, W] for images [B, C, H, W] (H = W = <see cref="UViTOptions.ImageSize"/>), float timesteps [B]
    /// and int64 labels [B] in [0, <see cref="UViTOptions.NumClasses"/>) (null for an unconditional network).
    /// </summary>
    /// <exception cref="ArgumentException">A shape, dtype or label is invalid; the message names it.</exception>
    public Tensor Forward(Tensor input, Tensor timesteps, Tensor? classLabels)
    {
        using var scope = new TensorScope();
        Tensor tokens = RunTokens(input, timesteps, classLabels, keptTokens: null);
        Tensor image = DiTTokens.Unpatchify(tokens, Options.PatchSize, GridSize, GridSize);
        return (_finalLayer is null ? image : _finalLayer.Forward(image)).MoveToOuterScope();
    }

    /// <summary>
    /// The kept-token forward pass of masked pre-training (MaskDM, Lei et al. 2023, §3; docs/recipes.md §4): the patch
    /// tokens at int64 indices <paramref name="keptTokens"/> [B, K] are selected after patch and position embedding, the
    /// blocks run on the extra tokens and those K tokens only, and the result is the per-token output [B, K, p²·C] in the
    /// <see cref="DiTTokens"/> layout (U-ViT's unpatchify order is the same).
    /// </summary>
    /// <exception cref="InvalidOperationException">The network has the final 3×3 convolution, which needs every patch.</exception>
    /// <exception cref="ArgumentException">A shape, dtype, label or index is invalid.</exception>
    public Tensor Forward(Tensor input, Tensor timesteps, Tensor? classLabels, Tensor keptTokens)
    {
        ArgumentNullException.ThrowIfNull(keptTokens);
        if (_finalLayer is not null)
        {
            throw new InvalidOperationException(
                "This U-ViT has the final 3×3 convolution (FinalConv = true), which mixes neighbouring patches, so it cannot run on kept tokens only: " +
                "build it with FinalConv = false for masked pre-training.");
        }

        return RunTokens(input, timesteps, classLabels, keptTokens);
    }

    /// <summary><see cref="IDiffusionNetwork"/>: noise labels are the timesteps; labels come from <see cref="Conditioning.ClassLabels"/>.</summary>
    public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning) =>
        Forward(input, noiseLabels, LabelsFrom(conditioning));

    /// <inheritdoc />
    public Tensor ForwardKept(Tensor input, Tensor noiseLabels, Conditioning conditioning, Tensor keptTokens)
    {
        using var scope = new TensorScope();
        Tensor tokens = Forward(input, noiseLabels, LabelsFrom(conditioning), keptTokens);
        Tensor full = DiTTokens.Scatter(tokens, keptTokens, Options.NumPatches);
        return DiTTokens.Unpatchify(full, Options.PatchSize, GridSize, GridSize).MoveToOuterScope();
    }

    /// <inheritdoc />
    protected override string ExtraRepresentation() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"img_size={Options.ImageSize}, patch_size={Options.PatchSize}, in_chans={Options.InChannels}, embed_dim={Options.EmbedDim}, depth={Options.Depth}, num_heads={Options.NumHeads}, num_classes={Options.NumClasses}");

    private Tensor RunTokens(Tensor input, Tensor timesteps, Tensor? classLabels, Tensor? keptTokens)
    {
        ValidateInput(input);
        long b = input.Size(0);
        ValidateTimesteps(timesteps, b);
        ValidateLabels(classLabels, b);
        int extras = Options.Extras;
        using var scope = new TensorScope();
        Tensor pos = PositionEmbeddingParameter;
        Tensor patches = _patchEmbed.Forward(input).Add(pos.Narrow(1, extras, Options.NumPatches));
        if (keptTokens is not null) patches = DiTTokens.Gather(patches, keptTokens);

        Tensor features = TimestepFeatures(timesteps);
        Tensor timeToken = (_timeEmbed is null ? features : _timeEmbed.Forward(features)).Unsqueeze(1);
        Tensor extraTokens = _labelEmb is null ? timeToken : Tensor.Cat([_labelEmb.Forward(classLabels!).Unsqueeze(1), timeToken], 1);
        Tensor x = Tensor.Cat([extraTokens.Add(pos.Narrow(1, 0, extras)), patches], 1);

        var skips = new Stack<Tensor>();
        foreach (UViTBlock block in _inBlocks)
        {
            x = block.Forward(x);
            skips.Push(x);
        }

        x = _midBlock.Forward(x);
        foreach (UViTBlock block in _outBlocks)
        {
            Tensor skip = skips.Pop();
            x = block.Forward(x, block.HasSkip ? skip : null);
        }

        Tensor output = _decoderPred.Forward(_norm.Forward(x));
        return output.Narrow(1, extras, output.Size(1) - extras).MoveToOuterScope();
    }

    private Tensor TimestepFeatures(Tensor timesteps)
    {
        using var scope = new TensorScope();
        return TimestepEmbedder.FrequencyEmbedding(timesteps, Options.EmbedDim).To(PositionEmbeddingParameter.DType).MoveToOuterScope();
    }

    private Tensor? LabelsFrom(Conditioning conditioning)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        if (Options.NumClasses == 0) return null;
        return conditioning.ClassLabels ?? throw new ArgumentException(
            $"This U-ViT is class-conditional ({Options.NumClasses} label rows) but the conditioning has no '{ConditioningKeys.ClassLabels}' entry: " +
            "pass int64 labels [B] with Conditioning.FromClassLabels.", nameof(conditioning));
    }

    private void ValidateInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        long[] s = input.Shape;
        int size = Options.ImageSize;
        if (s.Length != 4 || s[1] != Options.InChannels || s[2] != size || s[3] != size)
        {
            throw new ArgumentException(
                $"U-ViT input must be [B, {Options.InChannels}, {size}, {size}] (InChannels, ImageSize); got [{string.Join(", ", s)}].", nameof(input));
        }
    }

    private static void ValidateTimesteps(Tensor timesteps, long batch)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        if (timesteps.Dim != 1 || timesteps.Size(0) != batch)
        {
            throw new ArgumentException(
                $"U-ViT timesteps must be one per sample, [B = {batch}]; got shape [{string.Join(", ", timesteps.Shape)}].", nameof(timesteps));
        }
    }

    private void ValidateLabels(Tensor? labels, long batch)
    {
        if (Options.NumClasses == 0)
        {
            if (labels is not null) throw new ArgumentException("This U-ViT is unconditional (NumClasses = 0): pass null class labels.", nameof(labels));
            return;
        }

        if (labels is null || labels.DType != DType.Int64 || labels.Dim != 1 || labels.Size(0) != batch)
        {
            throw new ArgumentException(
                $"This U-ViT is class-conditional: pass int64 class labels [B = {batch}] in [0, {Options.NumClasses})" +
                (labels is null ? "; got none." : $"; got {labels.DType} [{string.Join(", ", labels.Shape)}]."), nameof(labels));
        }

        if (labels.Device.Type == DeviceType.Meta) return;
        using var scope = new TensorScope();
        long min = labels.Min().ToInt64();
        long max = labels.Max().ToInt64();
        if (min < 0 || max >= Options.NumClasses)
        {
            throw new ArgumentException($"U-ViT class labels must lie in [0, {Options.NumClasses - 1}]; got values in [{min}, {max}].", nameof(labels));
        }
    }
}
