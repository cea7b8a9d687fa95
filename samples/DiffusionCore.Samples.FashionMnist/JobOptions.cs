using DiffusionCore.Guidance;
using DiffusionCore.Torch;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>
/// The settings of the Fashion-MNIST job. The property initialisers are the job's defaults — the README's main job —
/// and the only place they are written: the command line (<see cref="JobCommandLine"/>) shows and applies these.
/// </summary>
internal sealed record JobOptions
{
    /// <summary>The defaults.</summary>
    public static readonly JobOptions Defaults = new();

    public string RunDirectory { get; init; } = "runs/fashion-mnist";

    /// <summary>The output directory; null means <c>{RunDirectory}/output</c> (<see cref="Output"/>).</summary>
    public string? OutputDirectory { get; init; }

    public long Seed { get; init; }

    public long Images { get; init; } = 28_000;

    /// <summary>
    /// The whole job's time in minutes (training, sweep, sampling, evaluation; <see cref="JobPlan"/>); null: train for
    /// <see cref="Images"/> images.
    /// </summary>
    public double? Minutes { get; init; }

    public ObjectiveKind Objective { get; init; } = ObjectiveKind.Edm2;

    public int Batch { get; init; } = 64;

    public int Channels { get; init; } = 32;

    public int Blocks { get; init; } = 1;

    public double LearningRate { get; init; } = 0.01;

    public double LabelDropout { get; init; } = 0.1;

    /// <summary>The post-hoc EMA length the posthoc and sample commands use (run chooses from <see cref="SigmaRelGrid"/>).</summary>
    public double SigmaRel { get; init; } = 0.10;

    /// <summary>The EMA lengths the post-hoc sweep tries (one value: no choice to make).</summary>
    public ValueList SigmaRelGrid { get; init; } = new(0.04, 0.07, 0.10, 0.15, 0.20);

    /// <summary>The guidance scales the post-hoc sweep tries (one value: no choice to make).</summary>
    public ValueList GuidanceGrid { get; init; } = new(1.5, 2.0, 3.0);

    /// <summary>
    /// The least class agreement the sweep's chosen cell must have (0: none, the lowest FD wins); when no cell reaches
    /// it the cell of highest agreement is chosen (<see cref="SweepStage.Choose"/>).
    /// </summary>
    public double MinAgreement { get; init; }

    /// <summary>Images per (σ_rel, guidance) cell of the sweep; null: as many as the time budget allows (100 without one).</summary>
    public int? SweepSamples { get; init; }

    /// <summary>EMA snapshots stored over the training (at an interval in images seen), plus one at the end.</summary>
    public int Snapshots { get; init; } = 16;

    /// <summary>Classifier-free guidance (an unconditional branch of the same network) or autoguidance (a smaller, shorter-trained guide network).</summary>
    public GuideKind Guide { get; init; } = GuideKind.Cfg;

    /// <summary>Model channels of the autoguidance guide network.</summary>
    public int GuideChannels { get; init; } = 16;

    /// <summary>The autoguidance guide's share of the training (its images, or its time under <see cref="Minutes"/>).</summary>
    public double GuideShare { get; init; } = 0.15;

    public SamplerKind Sampler { get; init; } = SamplerKind.Heun;

    public int Steps { get; init; } = 18;

    /// <summary>
    /// The σ range in which CFG or autoguidance applies (Kynkäänniemi et al. 2024), in the sweep and the final
    /// sampling alike; outside it the main network alone denoises.
    /// </summary>
    public GuidanceInterval GuidanceInterval { get; init; } = GuidanceInterval.Always;

    /// <summary>The guidance scale the sample command uses (run chooses from <see cref="GuidanceGrid"/>).</summary>
    public double Guidance { get; init; } = 2.0;

    public int SamplesPerClass { get; init; } = 10;

    public int EvalSamples { get; init; } = 300;

    /// <summary>The folder of images to evaluate; null means the samples under <see cref="Output"/>.</summary>
    public string? Folder { get; init; }

    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Data-parallel training processes started on this machine (<c>--nproc</c>); 1 trains in this process.</summary>
    public int Processes { get; init; } = 1;

    public ComputePrecision Precision { get; init; } = ComputePrecision.Auto;

    /// <summary>The sampling batch size; null plans it (SamplingBatchPlanner).</summary>
    public int? SampleBatch { get; init; }

    public bool Profile { get; init; }

    public string Output => OutputDirectory ?? Path.Combine(RunDirectory, "output");

    /// <summary>The run directory of the autoguidance guide network.</summary>
    public string GuideRunDirectory => Path.Combine(RunDirectory, "guide");
}
