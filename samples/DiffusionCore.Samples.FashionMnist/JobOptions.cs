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

    /// <summary>Stop training after this many minutes (checkpointed); null: no time limit.</summary>
    public double? Minutes { get; init; }

    public int Batch { get; init; } = 64;

    public int Channels { get; init; } = 32;

    public int Blocks { get; init; } = 1;

    public double LearningRate { get; init; } = 0.01;

    public double LabelDropout { get; init; } = 0.1;

    public double SigmaRel { get; init; } = 0.10;

    public SamplerKind Sampler { get; init; } = SamplerKind.Heun;

    public int Steps { get; init; } = 18;

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
}
