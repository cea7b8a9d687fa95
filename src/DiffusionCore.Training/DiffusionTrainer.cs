using System.Diagnostics;
using DiffusionCore.Labels;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Optim;
using DiffusionCore.Training.Checkpoints;
using DiffusionCore.Data;
using DiffusionCore.Training.Ema;
using DiffusionCore.Training.Losses;
using DiffusionCore.Training.Schedules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiffusionCore.Training;

/// <summary>
/// Trains a network the EDM2 way (Karras et al. 2024, Section 3 and the reference training loop): time in images seen;
/// each step reads <see cref="TrainingOptions.BatchSize"/> images in a seeded per-epoch order and makes one
/// <see cref="TrainingStep"/> whose independent generators, derived from (seed, images seen), give every random draw of
/// the step: σ and noise for the whole batch (so the split into accumulation rounds does not change them), label dropout
/// (<see cref="TrainingOptions.LabelDropout"/>), masks, augmentation and the network's own dropout. Each accumulation
/// round back-propagates <c>Σ per-sample loss / batch</c>; the gradients are then reduced in one replaceable place
/// (<see cref="GradientReducer"/>), made finite (NaN/±∞ → 0), optionally clipped to a global norm, and the optimizer
/// steps at the learning rate of the images seen before the EMA trackers update. Checkpoints hold everything a bit-exact
/// resume needs; a run started in a directory with checkpoints resumes from the newest valid one.
/// The network is reached only through <see cref="Module"/> (its parameters, train/eval mode and state dict) and the
/// <see cref="ITrainingLoss"/> bound to it; no architecture is assumed.
/// </summary>
public partial class DiffusionTrainer : IDisposable
{
    private readonly ILogger _logger;
    private readonly ClassLabelFormat _labelFormat;
    private readonly string? _description;
    private readonly TrainingOptions _options;
    private readonly Tensor[] _parameters;
    private readonly IEmaTracker[] _emaTrackers;
    private readonly TrainingRun _run;
    private EmaSnapshotWriter? _snapshotWriter;
    private readonly Device _device;
    private IBatchSampler? _sampler;
    private ILearningRateSchedule? _schedule;
    private bool _resumeAttempted;
    private long? _resumedFrom;
    private string? _lastCheckpoint;
    private bool _disposed;

    /// <summary>Creates a trainer; validates <paramref name="options"/> and builds the optimizer over the network's trainable parameters.</summary>
    /// <param name="network">The module whose parameters are trained (for example an <c>Edm2Denoiser</c>).</param>
    /// <param name="loss">The training loss bound to that network (for example <see cref="Edm2Loss"/>).</param>
    /// <param name="dataset">The training images.</param>
    /// <param name="options">The run options.</param>
    /// <param name="emaTrackers">EMA trackers updated after every step and checkpointed (names must be unique); the trainer owns and disposes them.</param>
    /// <param name="logger">The logger (none when null).</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid; the message lists every problem.</exception>
    public DiffusionTrainer(
        Module network,
        ITrainingLoss loss,
        IImageDataset dataset,
        TrainingOptions options,
        IEnumerable<IEmaTracker>? emaTrackers = null,
        ILogger<DiffusionTrainer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        TrainingOptionsValidator.ThrowIfInvalid(options);
        if (dataset.Count < 1) throw new ArgumentException("The dataset is empty.", nameof(dataset));
        if (options.LabelDropout > 0 && dataset.LabelCount == 0)
        {
            throw new ArgumentException(
                $"LabelDropout is {options.LabelDropout} but the dataset has no labels: label dropout trains the unconditional branch of " +
                "classifier-free guidance from labelled data. Give a labelled dataset, or set LabelDropout to 0.", nameof(dataset));
        }

        Network = network;
        Loss = loss;
        Dataset = dataset;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _emaTrackers = emaTrackers?.ToArray() ?? [];
        if (options.SnapshotIntervalImages > 0 && !_emaTrackers.OfType<PowerEmaTracker>().Any())
        {
            throw new ArgumentException(
                $"SnapshotIntervalImages is {options.SnapshotIntervalImages}, but no PowerEmaTracker is tracked: snapshots feed post-hoc EMA, " +
                "which needs power-function EMAs (e.g. PowerEmaTracker.CreateSet(network)). Track some, or set SnapshotIntervalImages to 0.", nameof(emaTrackers));
        }

        string? duplicate = _emaTrackers.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null) throw new ArgumentException($"Two EMA trackers are named '{duplicate}'; names key the checkpoint and must be unique.", nameof(emaTrackers));
        _parameters = network.Parameters().Where(p => p.RequiresGrad).ToArray();
        if (_parameters.Length == 0) throw new ArgumentException("The network has no trainable parameters.", nameof(network));
        _device = _parameters[0].Device;
        Optimizer = CreateOptimizer(_parameters, options);
        InitializeMasking(network);
        _run = new TrainingRun(options.RunDirectory, options.KeepCheckpoints, _logger);
        _labelFormat = ResolveLabelFormat(network, dataset, options);
        _description = DescribeNetwork();
    }

    /// <summary>The trained module.</summary>
    public Module Network { get; }

    /// <summary>The loss.</summary>
    public ITrainingLoss Loss { get; }

    /// <summary>The dataset.</summary>
    public IImageDataset Dataset { get; }

    /// <summary>The options (validated).</summary>
    public TrainingOptions Options => _options;

    /// <summary>The optimizer (Adam or AdamW per <see cref="TrainingOptions.Optimizer"/>).</summary>
    public Optimizer Optimizer { get; private set; }

    /// <summary>The EMA trackers.</summary>
    public IReadOnlyList<IEmaTracker> EmaTrackers => _emaTrackers;

    /// <summary>The checkpoint files of the run directory.</summary>
    public CheckpointStore Checkpoints => _run.Checkpoints;

    /// <summary>Images seen so far.</summary>
    public long ImagesSeen { get; private set; }

    /// <summary>The learning-rate schedule; by default built from the options (<see cref="TrainingOptions.LearningRateSchedule"/>).</summary>
    public ILearningRateSchedule LearningRateSchedule
    {
        get => _schedule ??= CreateSchedule(_options);
        init => _schedule = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The data order; by default a <see cref="SeededPermutationSampler"/> over the dataset and the run seed.</summary>
    public IBatchSampler BatchSampler
    {
        get => _sampler ??= new SeededPermutationSampler(Dataset.Count, _options.Seed);
        init => _sampler = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// The gradient reduction across workers, the one place a data-parallel trainer changes: called once per step
    /// after every accumulation round and before gradients are made finite, clipped and applied
    /// (<see cref="LocalGradientReducer"/>, which does nothing, by default).
    /// </summary>
    public IGradientReducer GradientReducer { get; init; } = LocalGradientReducer.Instance;

    /// <summary>
    /// EDM's non-leaky augmentation (Karras et al. 2022, App. C.4), applied to each round's images with the step's
    /// <see cref="TrainingStep.Augmentation"/> stream; the augmentation labels go into the conditioning
    /// (<see cref="ConditioningKeys.AugmentLabels"/>). None when null (the default).
    /// </summary>
    public NonLeakyAugmentation? Augmentation { get; init; }

    /// <summary>
    /// Augmentation whose parameters are the sample's control metadata (random resized crop and horizontal flip;
    /// Berrada et al. 2024, docs/control-conditioning.md), applied after <see cref="Augmentation"/> with the same
    /// <see cref="TrainingStep.Augmentation"/> stream. Its controls go into the conditioning
    /// (<see cref="ConditioningKeys.ControlMetadata"/>), each row dropped to zeros with probability
    /// <see cref="TrainingOptions.ControlDropout"/>. None when null (the default).
    /// </summary>
    public ControlAugmentation? ControlAugmentation { get; init; }

    /// <summary>The EDM2 schedule, linear warm-up or constant rate as the options say.</summary>
    public static ILearningRateSchedule CreateSchedule(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.LearningRateSchedule switch
        {
            LearningRateScheduleKind.InverseSqrt => new InverseSqrtLearningRate(options.LearningRate, options.ReferenceBatches, options.BatchSize, options.RampUpImages),
            LearningRateScheduleKind.LinearWarmup => new LinearWarmupLearningRate(options.LearningRate, options.RampUpImages),
            LearningRateScheduleKind.Constant => new ConstantLearningRate(options.LearningRate),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.LearningRateSchedule, "Unknown learning-rate schedule."),
        };
    }

    /// <summary>
    /// Trains until <see cref="TrainingOptions.TotalImages"/> images have been seen, resuming first from the newest valid
    /// checkpoint when <see cref="TrainingOptions.Resume"/> is set. First the run directory is prepared
    /// (<see cref="CheckpointStore.PrepareDirectory"/>: created, checked to be writable, stale temporary files of killed
    /// checkpoint writes deleted). When <paramref name="cancellationToken"/> is cancelled,
    /// the current step finishes, a checkpoint is written and the method returns (it does not throw).
    /// </summary>
    /// <param name="progress">Receives a report after every step.</param>
    /// <param name="cancellationToken">Stops training cleanly after a checkpoint.</param>
    /// <exception cref="IOException">The run directory cannot be created or written to.</exception>
    public TrainingResult Run(IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        string threads = IntraOpThreads.Describe();
        TrainingLog.Threads(Log, DiffusionCore.Torch.Torch.Version, threads);
        if (IsRankZero) Checkpoints.PrepareDirectory();
        if (_options.Resume && !_resumeAttempted && IsRankZero) TryResume();
        if (Group is { } group) SynchronizeRanks(group);
        bool wasTraining = Network.IsTraining;
        long parameterCount = Network.NumParameters(trainableOnly: true);
        TrainingLog.Started(Log, ImagesSeen, _options.TotalImages, _options.BatchSize, _options.AccumulationRounds, parameterCount,
            _options.Precision.Resolve(_device) == DType.BFloat16 ? "bfloat16" : "float32");

        var clock = Stopwatch.StartNew();
        long startImages = ImagesSeen;
        long lastLogged = ImagesSeen;
        try
        {
            while (ImagesSeen < _options.TotalImages)
            {
                if (StopRequested(cancellationToken))
                {
                    if (IsRankZero) SaveCheckpoint();
                    TrainingLog.Cancelled(Log, ImagesSeen);
                    return new TrainingResult(ImagesSeen, false, _resumedFrom, _lastCheckpoint);
                }

                long before = ImagesSeen;
                StepResult step = Step();
                double rate = (ImagesSeen - startImages) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                progress?.Report(new TrainingProgress(ImagesSeen, _options.TotalImages, step.Loss, step.LearningRate, rate, step.GradientNorm));
                if (_options.LogIntervalImages == 0 || ImagesSeen - lastLogged >= _options.LogIntervalImages || ImagesSeen >= _options.TotalImages)
                {
                    TrainingLog.Progress(Log, ImagesSeen, _options.TotalImages, step.Loss, step.LearningRate, rate);
                    lastLogged = ImagesSeen;
                }

                if (!IsRankZero) continue;
                if (Crossed(before, ImagesSeen, _options.SnapshotIntervalImages)) WriteSnapshots();
                if (Crossed(before, ImagesSeen, _options.CheckpointIntervalImages) || ImagesSeen >= _options.TotalImages || PretrainingEnded(before, ImagesSeen)) SaveCheckpoint();
            }

            TrainingLog.Finished(Log, ImagesSeen);
            return new TrainingResult(ImagesSeen, true, _resumedFrom, _lastCheckpoint);
        }
        finally
        {
            Network.Train(wasTraining);
        }
    }

    /// <summary>
    /// Restores the newest valid checkpoint of the run directory (network, optimizer, EMA trackers, images seen, generator
    /// states); corrupt or truncated newer files are logged and skipped. Returns false when there is none.
    /// </summary>
    public bool TryResume()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _resumeAttempted = true;
        using var scope = new TensorScope();
        SavedState? saved = null;
        using LoadedCheckpoint? checkpoint = Checkpoints.LoadLatestValid(_device, c => saved = ReadState(c));
        if (checkpoint is null) return false;
        RestoreState(checkpoint, saved!);
        _resumedFrom = ImagesSeen;
        TrainingLog.Resumed(_logger, checkpoint.File.Path, ImagesSeen);
        return true;
    }

    /// <summary>Writes the training state at the current images seen as one atomic safetensors file and prunes old ones.</summary>
    /// <returns>The path written.</returns>
    public string SaveCheckpoint()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = new TensorScope();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        CaptureState(tensors, metadata);
        string path = Checkpoints.Write(ImagesSeen, tensors, metadata);
        _lastCheckpoint = path;
        TrainingLog.CheckpointWritten(_logger, path, ImagesSeen);
        return path;
    }

    /// <summary>
    /// Disposes the optimizer and the EMA trackers given to the constructor, which the trainer owns (their averages are
    /// native tensors as large as the network); not the network, loss or dataset. Read or copy out an average
    /// (<see cref="IEmaTracker"/>) before disposing the trainer.
    /// </summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes owned resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed) return;
        _disposed = true;
        if (!disposing) return;
        Optimizer.Dispose();
        foreach (IEmaTracker tracker in _emaTrackers) tracker.Dispose();
    }

    /// <summary>
    /// The conditioning of one accumulation round: by default, when the dataset is labelled, its class labels in
    /// the network's declared format (<see cref="TrainingOptions.LabelFormat"/>), each dropped with probability <see cref="TrainingOptions.LabelDropout"/>
    /// (<see cref="LabelDropout"/>, drawing from <see cref="TrainingStep.ConditionDropout"/>; a dropped label is the
    /// zero row or the null label <see cref="IImageDataset.LabelCount"/>). The trainer then adds the step's dropout
    /// generator (<see cref="Conditioning.DropoutGenerator"/>) and the augmentation labels.
    /// </summary>
    /// <param name="step">The step: its generators and position.</param>
    /// <param name="batch">The round's images and labels, on the training device.</param>
    protected virtual Conditioning CreateConditioning(TrainingStep step, ImageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Labels is not { } labels || Dataset.LabelCount == 0) return Conditioning.None;
        Tensor encoded = ClassLabels.Encode(labels, Dataset.LabelCount, _labelFormat);
        if (_options.LabelDropout > 0)
        {
            encoded = LabelDropout.Apply(encoded, _options.LabelDropout, step.ConditionDropout, nullLabel: Dataset.LabelCount);
        }

        return Conditioning.FromClassLabels(encoded);
    }

    /// <summary>
    /// The element mask of one accumulation round (null = every element counts); override for masked objectives such
    /// as MaskDM, drawing from <see cref="TrainingStep.Mask"/>.
    /// </summary>
    /// <param name="step">The step: its generators and position.</param>
    /// <param name="batch">The round's images and labels, on the training device.</param>
    protected virtual Tensor? CreateMask(TrainingStep step, ImageBatch batch) => null;

    /// <summary>The folder that receives the EMA snapshots for post-hoc reconstruction (<see cref="TrainingRun.SnapshotDirectory"/>).</summary>
    public string SnapshotDirectory => _run.SnapshotDirectory;

    /// <summary>
    /// Stores every power-function EMA tracker now, at <see cref="ImagesSeen"/>, as a float16 snapshot named by images
    /// seen and σ_rel: the input of post-hoc EMA reconstruction (Karras et al. 2024, §3; <see cref="EmaSnapshotWriter"/>,
    /// <see cref="PostHocEmaReconstructor"/>). <see cref="Run"/> calls it every <see cref="TrainingOptions.SnapshotIntervalImages"/>;
    /// call it after training so post-hoc EMA can end at the last step. Traditional and constant-decay averages have no
    /// power-function profile to reconstruct from; they live in the checkpoints.
    /// </summary>
    /// <returns>The files written (none without a power-function tracker or before the first step).</returns>
    public IReadOnlyList<string> WriteSnapshots()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        PowerEmaTracker[] power = _emaTrackers.OfType<PowerEmaTracker>().ToArray();
        if (power.Length == 0 || ImagesSeen == 0) return [];

        // The writer's own schedule is not used (Run decides when), so any positive interval will do when none is set.
        _snapshotWriter ??= new EmaSnapshotWriter(
            new EmaSnapshotOptions { Directory = SnapshotDirectory, IntervalImages = Math.Max(1, _options.SnapshotIntervalImages) }, power);
        IReadOnlyList<string> paths = _snapshotWriter.Write(ImagesSeen, _options.BatchSize);
        foreach (string path in paths)
        {
            TrainingLog.SnapshotWritten(_logger, path);
        }

        return paths;
    }

    private static bool Crossed(long before, long after, long interval) => interval > 0 && before / interval != after / interval;

    private static Adam CreateOptimizer(IEnumerable<Tensor> parameters, TrainingOptions o)
    {
        if (o.Optimizer == TrainingOptimizer.AdamW)
        {
            return new AdamW(parameters, new AdamWOptions
            {
                LearningRate = o.LearningRate, Beta1 = o.Beta1, Beta2 = o.Beta2, Eps = o.Epsilon, WeightDecay = o.WeightDecay,
            });
        }

        return new Adam(parameters, new AdamOptions
        {
            LearningRate = o.LearningRate, Beta1 = o.Beta1, Beta2 = o.Beta2, Eps = o.Epsilon, WeightDecay = o.WeightDecay,
        });
    }
}
