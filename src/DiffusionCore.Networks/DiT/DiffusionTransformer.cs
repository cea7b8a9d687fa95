using DiffusionCore.Labels;
using DiffusionCore.Models;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.DiT;

/// <summary>
/// DiT, the diffusion transformer of Peebles &amp; Xie 2023, "Scalable Diffusion Models with Transformers" (§3.2, Fig. 3):
/// patchify + fixed 2-D sin-cos position embedding, conditioning vector <c>c = t_emb + y_emb</c>, N adaLN-Zero blocks, a
/// final adaLN layer and unpatchify to <c>C_out</c> channels (2C with learned Σ: [ε, v]). The raw output is an
/// ε-prediction network's output in the DDPM convention: wrap it with
/// <c>PreconditionedDenoiser.EpsilonPrediction(dit, DiscreteSchedule.Linear(), options with DiscardLearnedVariance)</c>
/// to obtain an <see cref="IDenoiser"/> for the EDM-style samplers (see <see cref="DiTDenoisers"/>).
/// </summary>
/// <remarks>
/// Parameter and buffer names are the reference <c>state_dict</c> keys (<c>pos_embed</c>, <c>x_embedder.proj.*</c>,
/// <c>t_embedder.mlp.0/2.*</c>, <c>y_embedder.embedding_table.weight</c>, <c>blocks.{i}.attn.qkv/proj.*</c>,
/// <c>blocks.{i}.mlp.fc1/fc2.*</c>, <c>blocks.{i}.adaLN_modulation.1.*</c>, <c>final_layer.linear.*</c>,
/// <c>final_layer.adaLN_modulation.1.*</c>), so PyTorch checkpoints exported to safetensors load by key name.
/// <c>pos_embed</c> [1, T, D] is a parameter that does not require gradients, as in the reference, and counts towards
/// <see cref="Module.NumParameters"/>.
/// </remarks>
public sealed partial class DiffusionTransformer : Module, IDiffusionNetwork, IClassConditioned, IDescribedNetwork, IDescribedModel
{
    private const string PositionEmbeddingName = "pos_embed";

    private readonly PatchEmbed _xEmbedder;
    private readonly TimestepEmbedder _tEmbedder;
    private readonly LabelEmbedder? _yEmbedder;
    private readonly ModuleList<DiTBlock> _blocks;
    private readonly DiTFinalLayer _finalLayer;

    /// <summary>
    /// Builds the network and initialises it as in the paper (§3.2; reference <c>initialize_weights</c>): Xavier-uniform
    /// linears with zero biases, the patch embedding like a linear layer, the label table and the timestep MLP weights
    /// N(0, 0.02²), and zero for every adaLN modulation output and the final linear, so the output is exactly 0.
    /// Every draw comes from <paramref name="generator"/>. On <see cref="Device.Meta"/> nothing is allocated or drawn
    /// (shape-only, e.g. to count parameters).
    /// </summary>
    /// <param name="options">The architecture; validated here.</param>
    /// <param name="generator">The generator of the initial weights.</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Parameter device (CPU when null).</param>
    public DiffusionTransformer(DiTOptions options, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        options.Validate();
        Options = options;
        GridSize = options.GridSize;

        _xEmbedder = RegisterModule("x_embedder", new PatchEmbed(options.PatchSize, options.InChannels, options.HiddenSize, generator, dtype, device));
        _tEmbedder = RegisterModule("t_embedder", new TimestepEmbedder(options.HiddenSize, generator, dtype, device));
        if (options.IsClassConditional)
        {
            _yEmbedder = RegisterModule(
                "y_embedder", new LabelEmbedder(options.NumClasses, options.HiddenSize, options.ClassDropoutProbability, generator, dtype, device, options.UnconditionalRow));
        }

        RegisterParameter(PositionEmbeddingName, PositionEmbedding(GridSize, 1.0, dtype, device), requiresGrad: false);
        _blocks = RegisterModule("blocks", new ModuleList<DiTBlock>());
        for (int i = 0; i < options.Depth; i++)
        {
            _blocks.Add(new DiTBlock(options.HiddenSize, options.NumHeads, options.MlpHiddenSize, generator, dtype, device));
        }

        _finalLayer = RegisterModule("final_layer", new DiTFinalLayer(options.HiddenSize, options.PatchSize, options.OutChannels, generator, dtype, device));
        RegisterConditioningPaths(generator, dtype, device);
    }

    /// <summary>The architecture this network was built with (its <see cref="DiTOptions.GridSize"/> is the reference grid).</summary>
    public DiTOptions Options { get; }

    /// <summary>How the network takes class labels (<see cref="IClassConditioned"/>): int64 indices of <c>NumClasses</c> classes, the null label (index <c>NumClasses</c>) unconditional when the table has it (Peebles &amp; Xie 2023, §3.2); null when unconditional.</summary>
    public ClassLabelSpec? ClassLabelSpec => Options.IsClassConditional ? new ClassLabelSpec(Options.NumClasses, ClassLabelFormat.Indices, Options.HasNullLabel) : null;

    /// <summary>The registered family name, <c>DiTOptions.Family</c>.</summary>
    public string Family => DiTOptions.Family;

    /// <summary>The shape of one sample, <c>[C, H, W]</c>.</summary>
    public IReadOnlyList<int> SampleShape => [Options.InChannels, Options.InputSize, Options.InputSize];

    /// <summary>The options as stored in a model file (<see cref="DiTOptions.ToJson"/>).</summary>
    public System.Text.Json.JsonElement SerializeOptions() => Options.ToJson();

    /// <summary>
    /// The model-file description of the raw DiT (layout <see cref="ModelLayout.Network"/>): the ε-prediction
    /// preconditioning of <see cref="DiTDenoisers.EpsilonPrediction"/> (linear β 1e-4 → 0.02 over 1000 steps, interpolated
    /// timesteps; learned Σ discarded).
    /// </summary>
    public ModelDescription Describe() => new()
    {
        Family = Family,
        Options = SerializeOptions(),
        SampleShape = SampleShape,
        Layout = ModelLayout.Network,
        Preconditioning = PreconditioningDescription.From(DiTDenoisers.EpsilonPrediction(this).Preconditioning, new DiffusionCore.Denoisers.PreconditionedDenoiserOptions { DiscardLearnedVariance = Options.LearnSigma }),
        ClassLabels = ClassLabelSpec,
    };

    /// <summary>The current token grid side: <see cref="DiTOptions.GridSize"/> unless changed by <see cref="ResizePositionEmbedding"/>.</summary>
    public int GridSize { get; private set; }

    /// <summary>The image side the network currently accepts, <see cref="GridSize"/>·p.</summary>
    public int ImageSize => GridSize * Options.PatchSize;

    /// <summary>Number of tokens of a full image, <see cref="GridSize"/>².</summary>
    public int NumTokens => GridSize * GridSize;

    /// <summary>Width p²·C_out of each output token.</summary>
    public int TokenOutputSize => Options.PatchSize * Options.PatchSize * Options.OutChannels;

    /// <summary>The fixed position embedding <c>pos_embed</c> [1, T, D].</summary>
    public Tensor PositionEmbeddingParameter => GetParameter(PositionEmbeddingName)!;

    /// <summary>The label embedder, or null for an unconditional network.</summary>
    public LabelEmbedder? LabelEmbedder => _yEmbedder;

    /// <summary>
    /// Replaces <c>pos_embed</c> by the sin-cos embedding of a <paramref name="gridSize"/>² grid, so the network accepts
    /// images of side <paramref name="gridSize"/>·p (the reference recomputes it for each input size). With
    /// <see cref="PositionEmbeddingResampling.SpanReferenceGrid"/> the new grid spans the coordinate range of the grid the
    /// network was built for (Berrada et al. 2024, resolution transfer; docs/recipes.md §6). The embedding is fixed, so no
    /// trained value is lost; a strict state-dict load then expects the new shape.
    /// </summary>
    /// <param name="gridSize">The new tokens per side.</param>
    /// <param name="resampling">Integer positions (naive extension) or spanning the reference grid's coordinate range.</param>
    /// <param name="referenceGridSize">
    /// The grid whose coordinate range <see cref="PositionEmbeddingResampling.SpanReferenceGrid"/> spans: the grid the
    /// weights were trained on (default <see cref="DiTOptions.GridSize"/>; the low-resolution grid for resolution transfer,
    /// see <see cref="DiTResolutionTransfer"/>).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">The grid size is not positive.</exception>
    public void ResizePositionEmbedding(int gridSize, PositionEmbeddingResampling resampling = PositionEmbeddingResampling.IntegerPositions, int? referenceGridSize = null)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfLessThan(gridSize, 1);
        Tensor current = PositionEmbeddingParameter;
        double scale = SinCosPositionEmbedding.CoordinateScale(gridSize, referenceGridSize ?? Options.GridSize, resampling);
        Tensor replacement = PositionEmbedding(gridSize, scale, current.DType, current.Device);
        ReplaceParameter(PositionEmbeddingName, replacement, requiresGrad: false)?.Dispose();
        GridSize = gridSize;
    }

    /// <summary>
    /// Null labels [B] (index <see cref="DiTOptions.NumClasses"/>) for the unconditional branch of classifier-free guidance.
    /// </summary>
    /// <exception cref="InvalidOperationException">The network has no null label (unconditional, or trained without label dropout).</exception>
    public Tensor NullLabels(long batchSize, Device? device = null)
    {
        if (!Options.HasNullLabel)
        {
            throw new InvalidOperationException("This DiT has no null label: it is unconditional or was built with ClassDropoutProbability 0.");
        }

        return Tensor.Full([batchSize], Options.NullLabel, DType.Int64, device);
    }

    /// <summary>
    /// The network output for images [B, C, H, W] (H = W = <see cref="ImageSize"/>), float diffusion timesteps [B] and
    /// int64 class labels [B] (null for an unconditional network; index <see cref="DiTOptions.NumClasses"/> is the null
    /// label): [B, C_out, H, W], channels [ε, Σ-interpolation v] with learned Σ (§3.1). In training mode with
    /// <see cref="DiTOptions.ClassDropoutProbability"/> &gt; 0 the labels are first dropped to the null label, drawing from
    /// <paramref name="dropoutGenerator"/> (required then; it must live on the device of the labels).
    /// </summary>
    /// <exception cref="ArgumentException">A shape, dtype or label is invalid; the message names it.</exception>
    public Tensor Forward(Tensor input, Tensor timesteps, Tensor? classLabels, Generator? dropoutGenerator = null) =>
        ForwardImage(input, timesteps, classLabels, null, dropoutGenerator);

    private Tensor ForwardImage(Tensor input, Tensor timesteps, Tensor? classLabels, Conditioning? conditioning, Generator? dropoutGenerator)
    {
        ThrowIfDisposed();
        using var scope = new TensorScope();
        Tensor tokens = EmbedTokens(input);
        Tensor output = RunTransformer(tokens, timesteps, classLabels, conditioning, input.Size(0), dropoutGenerator);
        return DiTTokens.Unpatchify(output, Options.PatchSize, GridSize, GridSize).MoveToOuterScope();
    }

    /// <summary>The output of an unconditional network (<see cref="DiTOptions.NumClasses"/> = 0) for images [B, C, H, W] and timesteps [B].</summary>
    /// <exception cref="ArgumentException">The network is class-conditional, or an input is invalid.</exception>
    public Tensor Forward(Tensor input, Tensor timesteps) => Forward(input, timesteps, classLabels: null);

    /// <summary>
    /// The kept-token forward pass for masked pre-training (MaskDM, Lei et al. 2023, §3; docs/recipes.md §4): the tokens at
    /// int64 indices <paramref name="keptTokens"/> [B, K] (row-major grid indices in [0, T)) are gathered after patch and
    /// position embedding, the blocks and final layer run on those K tokens only, and the result is the per-token output
    /// [B, K, p²·C_out] in the <see cref="DiTTokens"/> layout (compare with <see cref="TargetTokens"/>). Keeping all
    /// tokens in order gives <see cref="DiTTokens.Patchify"/> of the full output. Label dropout as in
    /// <see cref="Forward(Tensor, Tensor, Tensor?, Generator?)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A shape, dtype, label or index is invalid; the message names it.</exception>
    public Tensor Forward(Tensor input, Tensor timesteps, Tensor? classLabels, Tensor keptTokens, Generator? dropoutGenerator = null) =>
        ForwardKept(input, timesteps, classLabels, keptTokens, null, dropoutGenerator);

    private Tensor ForwardKept(Tensor input, Tensor timesteps, Tensor? classLabels, Tensor keptTokens, Conditioning? conditioning, Generator? dropoutGenerator)
    {
        ThrowIfDisposed();
        using var scope = new TensorScope();
        Tensor tokens = EmbedTokens(input);
        Tensor kept = DiTTokens.Gather(tokens, keptTokens);
        return RunTransformer(kept, timesteps, classLabels, conditioning, input.Size(0), dropoutGenerator).MoveToOuterScope();
    }

    /// <summary>
    /// <see cref="IDiffusionNetwork"/>: <paramref name="noiseLabels"/> are the per-sample diffusion timesteps t [B] (what
    /// <c>EpsilonPredictionPreconditioning</c> passes as c_noise) and the class labels come from
    /// <see cref="Conditioning.ClassLabels"/> (int64 [B]; ignored by an unconditional network); training-time label
    /// dropout draws from <see cref="Conditioning.DropoutGenerator"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A class-conditional network got no class labels, or an input is invalid.</exception>
    public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning) =>
        ForwardImage(input, noiseLabels, LabelsFrom(conditioning), conditioning, conditioning.DropoutGenerator);

    /// <summary>The kept-token forward pass (<see cref="Forward(Tensor, Tensor, Tensor?, Tensor, Generator?)"/>) with labels and the dropout generator from <paramref name="conditioning"/>.</summary>
    public Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning, Tensor keptTokens) =>
        ForwardKept(input, noiseLabels, LabelsFrom(conditioning), keptTokens, conditioning, conditioning.DropoutGenerator);

    /// <summary>
    /// A target image [B, C', H, W] in the output's token layout: [B, T, p²·C'], or [B, K, p²·C'] at
    /// <paramref name="keptTokens"/>, so a masked loss compares it with the kept-token output (narrowed to the ε channels
    /// with <see cref="DiTTokens.NarrowChannels"/> when Σ is learned).
    /// </summary>
    public Tensor TargetTokens(Tensor target, Tensor? keptTokens = null)
    {
        using var scope = new TensorScope();
        Tensor tokens = DiTTokens.Patchify(target, Options.PatchSize);
        return (keptTokens is null ? tokens : DiTTokens.Gather(tokens, keptTokens)).MoveToOuterScope();
    }

    /// <inheritdoc />
    protected override string ExtraRepresentation() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"input_size={ImageSize}, patch_size={Options.PatchSize}, in_channels={Options.InChannels}, hidden_size={Options.HiddenSize}, depth={Options.Depth}, num_heads={Options.NumHeads}, num_classes={Options.NumClasses}, learn_sigma={Options.LearnSigma}");

    private Tensor PositionEmbedding(int gridSize, double scale, DType dtype, Device? device)
    {
        using var scope = new TensorScope();
        return SinCosPositionEmbedding.Create2D(Options.HiddenSize, gridSize, scale, dtype, device).Unsqueeze(0).MoveToOuterScope();
    }

    private Tensor? LabelsFrom(Conditioning conditioning)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        if (!Options.IsClassConditional)
        {
            return null;
        }

        return conditioning.ClassLabels ?? throw new ArgumentException(
            $"This DiT is class-conditional ({Options.NumClasses} classes) but the conditioning has no '{ConditioningKeys.ClassLabels}' entry: " +
            "pass int64 labels [B] with Conditioning.FromClassLabels" +
            (Options.HasNullLabel ? $" (use the null label {Options.NullLabel}, e.g. NullLabels(B), for unconditional samples)." : "."),
            nameof(conditioning));
    }

    private Tensor EmbedTokens(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        long[] s = input.Shape;
        int p = Options.PatchSize;
        if (s.Length != 4)
        {
            throw new ArgumentException($"DiT input must be an image batch [B, C, H, W]; got shape [{string.Join(", ", s)}].", nameof(input));
        }

        if (s[1] != Options.InChannels)
        {
            throw new ArgumentException($"DiT input has {s[1]} channels but the network was built for {Options.InChannels} (InChannels).", nameof(input));
        }

        if (s[2] % p != 0 || s[3] % p != 0)
        {
            throw new ArgumentException(
                $"DiT input size {s[2]}×{s[3]} is not divisible by the patch size {p}: the image must split into whole {p}×{p} patches.", nameof(input));
        }

        if (s[2] != ImageSize || s[3] != ImageSize)
        {
            throw new ArgumentException(
                $"DiT input size {s[2]}×{s[3]} does not match the {GridSize}×{GridSize} position-embedding grid ({ImageSize}×{ImageSize} pixels): " +
                "call ResizePositionEmbedding(H / patch size) to run at another square size.", nameof(input));
        }

        using var scope = new TensorScope();
        return _xEmbedder.Forward(input).Add(PositionEmbeddingParameter).MoveToOuterScope();
    }

    private (Tensor C, Tensor? ClassToken) ConditioningVector(Tensor timesteps, Tensor? classLabels, Conditioning? conditioning, long batch, Generator? dropoutGenerator)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        if (timesteps.Dim != 1 || timesteps.Size(0) != batch)
        {
            throw new ArgumentException(
                $"DiT timesteps must be one per sample, [B = {batch}]; got shape [{string.Join(", ", timesteps.Shape)}].", nameof(timesteps));
        }

        using var scope = new TensorScope();
        Tensor c = AddControls(_tEmbedder.Forward(timesteps), timesteps, conditioning);
        if (_yEmbedder is null)
        {
            if (classLabels is not null)
            {
                throw new ArgumentException("This DiT is unconditional (NumClasses = 0): pass null class labels.", nameof(classLabels));
            }

            return (c.MoveToOuterScope(), null);
        }

        ValidateLabels(classLabels, batch);
        Tensor y = _yEmbedder.Forward(classLabels!, dropoutGenerator);
        return Options.ClassConditioning == DiTSemanticConditioning.Tokens
            ? (c.MoveToOuterScope(), y.MoveToOuterScope())
            : (c.Add(y).MoveToOuterScope(), null);
    }

    private void ValidateLabels(Tensor? labels, long batch)
    {
        if (labels is null)
        {
            throw new ArgumentException(
                $"This DiT is class-conditional ({Options.NumClasses} classes): pass int64 class labels [B]" +
                (Options.HasNullLabel ? $", with {Options.NullLabel} as the null label." : "."), nameof(labels));
        }

        if (labels.DType != DType.Int64 || labels.Dim != 1 || labels.Size(0) != batch)
        {
            throw new ArgumentException(
                $"DiT class labels must be int64 class indices [B = {batch}]; got {labels.DType} [{string.Join(", ", labels.Shape)}].", nameof(labels));
        }

        if (labels.Device.Type == DeviceType.Meta)
        {
            return;
        }

        using var scope = new TensorScope();
        long min = labels.Min().ToInt64();
        long max = labels.Max().ToInt64();
        long rows = _yEmbedder!.NumEmbeddings;
        if (min < 0 || max >= rows)
        {
            throw new ArgumentException(
                $"DiT class labels must lie in [0, {rows - 1}] ({Options.NumClasses} classes" +
                (Options.HasNullLabel ? $", {Options.NullLabel} = null label" : ", no null label") + $"); got values in [{min}, {max}].", nameof(labels));
        }
    }

    private Tensor RunTransformer(Tensor tokens, Tensor timesteps, Tensor? classLabels, Conditioning? conditioning, long batch, Generator? dropoutGenerator)
    {
        using var scope = new TensorScope();
        (Tensor c, Tensor? classToken) = ConditioningVector(timesteps, classLabels, conditioning, batch, dropoutGenerator);
        (Tensor? prefix, Tensor? keyMask) = ConditioningTokens(classToken, conditioning, batch, tokens, dropoutGenerator);
        Tensor x = prefix is null ? tokens : Tensor.Cat([prefix, tokens], 1);
        foreach (DiTBlock block in _blocks)
        {
            x = block.Forward(x, c, keyMask);
        }

        // The conditioning tokens are removed before the output head.
        if (prefix is not null) x = x.Narrow(1, prefix.Size(1), tokens.Size(1));
        return _finalLayer.Forward(x, c).MoveToOuterScope();
    }
}
