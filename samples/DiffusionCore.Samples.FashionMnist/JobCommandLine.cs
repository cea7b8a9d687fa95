using System.CommandLine;
using DiffusionCore.Guidance;
using DiffusionCore.Samples.Cli;
using DiffusionCore.Torch;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>
/// The job's command line (System.CommandLine): one subcommand per stage, each taking only the options it uses, and
/// no subcommand meaning <c>run</c>. Every default shown by <c>--help</c> and applied when an option is absent is read
/// from <see cref="JobOptions.Defaults"/>.
/// </summary>
internal sealed class JobCommandLine
{
    private const string Description = """
        DiffusionCore Fashion-MNIST job: a class-conditional EDM2 UNet (32×32, EDM2 or flow-matching loss,
        power-function EMA snapshots, inverse-sqrt learning rate), a post-hoc sweep of EMA length × guidance scale
        scored with FD-FMNIST, sampling with any of the library's solvers, and FD/class-agreement evaluation.
        With --minutes the whole job ends in time. Without a command it runs every stage (run).
        """;

    private static readonly JobOptions D = JobOptions.Defaults;

    private readonly Option<string> _run = new("--run") { Description = "run directory (checkpoints, snapshots)", DefaultValueFactory = _ => D.RunDirectory };
    private readonly Option<string?> _out = new("--out") { Description = "output directory [default: <run>/output]" };
    private readonly Option<long> _seed = TypedOption.Number("--seed", "seed of training and sampling", D.Seed, s => s >= 0, "must be >= 0");
    private readonly Option<long> _images = TypedOption.Positive("--images", "training budget in images seen", D.Images);
    private readonly Option<double?> _minutes = TypedOption.OptionalPositive<double>("--minutes",
        "the whole job's time: training (until its planned share is spent), sweep, sampling and evaluation end within M minutes");
    private readonly Option<ObjectiveKind> _objective = ChoiceOption.Choice("--objective", "what the network learns: edm2 (EDM2 denoiser and loss) or flow (rectified-flow velocity)", D.Objective);
    private readonly Option<int> _batch = TypedOption.Positive("--batch", "batch size", D.Batch);
    private readonly Option<int> _channels = TypedOption.Positive("--channels", "model channels of the UNet", D.Channels);
    private readonly Option<int> _blocks = TypedOption.Positive("--blocks", "residual blocks per level", D.Blocks);
    private readonly Option<double> _lr = TypedOption.Positive("--lr", "EDM2 reference learning rate", D.LearningRate);
    private readonly Option<double> _labelDropout = TypedOption.Number("--label-dropout", "probability of training without the label (CFG)", D.LabelDropout,
        p => p is >= 0 and < 1, "must be in [0, 1)");
    private readonly Option<double> _sigmaRel = TypedOption.Number("--sigma-rel", "post-hoc EMA length (given to run: no sweep over it)", D.SigmaRel,
        GridOption.ValidSigmaRel, GridOption.SigmaRelRule);
    private readonly Option<ValueList> _sigmaRelGrid = GridOption.Create("--sigma-rel-grid", "EMA lengths the post-hoc sweep tries", D.SigmaRelGrid,
        GridOption.ValidSigmaRel, GridOption.SigmaRelRule);
    private readonly Option<SamplerKind> _sampler = ChoiceOption.Choice("--sampler", "solver (docs/sampling.md)", D.Sampler, SamplerCatalog.Names);
    private readonly Option<int> _steps = TypedOption.Positive("--steps", "sampler steps on the Karras σ grid (NFE: heun 2N−1, the others N)", D.Steps);
    private readonly Option<double> _guidance = TypedOption.Number("--guidance", "guidance scale, 1 = none (given to run: no sweep over it)", D.Guidance,
        GridOption.ValidGuidance, GridOption.GuidanceRule);
    private readonly Option<ValueList> _guidanceGrid = GridOption.Create("--guidance-grid", "guidance scales the post-hoc sweep tries", D.GuidanceGrid,
        GridOption.ValidGuidance, GridOption.GuidanceRule);
    private readonly Option<double> _minAgreement = TypedOption.Number("--min-agreement",
        "the sweep keeps the lowest-FD cell among those with class agreement ≥ A (FD alone may favour weak guidance and mixed-up classes); " +
        "if none reaches A, the cell of highest agreement, with a warning", D.MinAgreement, a => a is >= 0 and <= 1, "must be in [0, 1]");
    private readonly Option<GuidanceInterval?> _guidanceInterval = GuidanceIntervalOption.Create("--guidance-interval",
        "guide only for LO ≤ σ ≤ HI, the main network alone elsewhere (Kynkäänniemi et al. 2024: guidance at high σ costs diversity, at low σ does little), " +
        "for CFG and autoguidance, in the sweep and the final sampling", D.GuidanceInterval);
    private readonly Option<int?> _sweepSamples = TypedOption.OptionalPositive<int>("--sweep-samples",
        $"images per sweep cell [default: planned from --minutes, else {JobPlan.DefaultSweepSamples}]");
    private readonly Option<int> _snapshots = TypedOption.Positive("--snapshots", "EMA snapshots stored over the training (plus one at the end)", D.Snapshots);
    private readonly Option<GuideKind> _guide = ChoiceOption.Choice("--guide",
        "cfg (classifier-free guidance) or auto (autoguidance by a smaller guide network trained first in the same budget)", D.Guide);
    private readonly Option<int> _guideChannels = TypedOption.Positive("--guide-channels", "model channels of the autoguidance guide network", D.GuideChannels);
    private readonly Option<double> _guideShare = TypedOption.Number("--guide-share", "the guide's share of the training budget", D.GuideShare,
        f => f is > 0 and < 1, "must be in (0, 1)");
    private readonly Option<int> _perClass = TypedOption.Positive("--per-class", "samples per class in the grid", D.SamplesPerClass);
    private readonly Option<int> _evalSamples = TypedOption.Positive("--eval-samples", "generated images for FD / class agreement", D.EvalSamples);
    private readonly Option<AutoCount> _sampleBatch = TypedOption.AutoCount("--sample-batch",
        "images per sampling batch: auto (the fastest per image that fits in half the available memory, measured at start) or a number", D.SampleBatch);
    private readonly Option<string?> _folder = new("--folder") { Description = "images to evaluate [default: the samples in <out>]" };
    // The one default not from JobOptions: data-parallel ranks share the machine's cores (D.Threads for one process).
    private readonly Option<int> _threads = TypedOption.Positive("--threads", "libtorch intra-op threads (the default is the core count, divided among the processes of --nproc or a launcher)",
        Distributed.RankRole.DefaultThreads());
    private readonly Option<int> _nproc = TypedOption.Positive("--nproc", "data-parallel training in N processes on this machine (rank 0 writes everything; docs/distributed.md)", D.Processes);
    private readonly Option<ComputePrecision> _precision = ChoiceOption.Precision("--precision",
        "products (conv, linear, attention) in: auto (bfloat16 on a CPU with AMX or AVX512-BF16, else float32), fp32, bf16", D.Precision);
    private readonly Option<bool> _profile = new("--profile") { Description = "print how much of the training time is spent inside libtorch vs managed code" };

    private JobCommandLine()
    {
    }

    /// <summary>The root command; a parsed command line calls <paramref name="job"/> with its stage and settings and returns its exit code.</summary>
    public static RootCommand Create(Func<JobCommand, JobOptions, int> job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new JobCommandLine().Build(job);
    }

    private RootCommand Build(Func<JobCommand, JobOptions, int> job)
    {
        Option[] where = [_run, _threads];
        Option[] model = [_seed, _precision, _objective, _channels, _blocks, _guide, _guideChannels];
        Option[] training = [_images, _minutes, _batch, _lr, _labelDropout, _snapshots, _guideShare, _profile, _nproc];
        Option[] sampling = [_sigmaRel, _sampler, _steps, _guidance, _guidanceInterval, _perClass, _evalSamples, _sampleBatch];
        Option[] everything = [.. where, _out, .. model, .. training, .. sampling, _sigmaRelGrid, _guidanceGrid, _sweepSamples, _minAgreement];

        var root = new RootCommand(Description);
        Add(root, JobCommand.Run, everything);
        root.Subcommands.Add(Add(new Command("run", "train (resuming automatically), reconstruct the post-hoc EMA, sample and write everything (the default)"), JobCommand.Run, everything));
        root.Subcommands.Add(Add(new Command("train", "train only (resumes from the newest valid checkpoint in --run)"), JobCommand.Train, [.. where, _out, .. model, .. training]));
        root.Subcommands.Add(Add(new Command("posthoc", "reconstruct the EMA for --sigma-rel from the stored snapshots"), JobCommand.PostHoc, [.. where, _sigmaRel, _guide]));
        root.Subcommands.Add(Add(new Command("sample", "sample from the reconstructed EMA (or the newest checkpoint) into --out, and evaluate"), JobCommand.Sample, [.. where, _out, .. model, .. sampling]));
        root.Subcommands.Add(Add(new Command("evaluate", "measure FD-FMNIST and class agreement of a folder of PNGs (--folder) or of the samples in --out"), JobCommand.Evaluate, [.. where, _out, _folder]));
        return root;

        Command Add(Command command, JobCommand stage, Option[] options)
        {
            foreach (Option option in options) command.Options.Add(option);
            command.SetAction(parse => job(stage, Bind(parse)));
            return command;
        }
    }

    private JobOptions Bind(ParseResult p) => new()
    {
        RunDirectory = Get(p, _run, D.RunDirectory),
        OutputDirectory = Get(p, _out, D.OutputDirectory),
        Seed = Get(p, _seed, D.Seed),
        Images = Get(p, _images, D.Images),
        Minutes = Get(p, _minutes, D.Minutes),
        Objective = Get(p, _objective, D.Objective),
        Batch = Get(p, _batch, D.Batch),
        Channels = Get(p, _channels, D.Channels),
        Blocks = Get(p, _blocks, D.Blocks),
        LearningRate = Get(p, _lr, D.LearningRate),
        LabelDropout = Get(p, _labelDropout, D.LabelDropout),
        SigmaRel = Get(p, _sigmaRel, D.SigmaRel),
        SigmaRelGrid = Given(p, _sigmaRel) ? new ValueList(p.GetValue(_sigmaRel)) : Get(p, _sigmaRelGrid, D.SigmaRelGrid),
        GuidanceGrid = Given(p, _guidance) ? new ValueList(p.GetValue(_guidance)) : Get(p, _guidanceGrid, D.GuidanceGrid),
        SweepSamples = Get(p, _sweepSamples, D.SweepSamples),
        MinAgreement = Get(p, _minAgreement, D.MinAgreement),
        Snapshots = Get(p, _snapshots, D.Snapshots),
        Guide = Get(p, _guide, D.Guide),
        GuideChannels = Get(p, _guideChannels, D.GuideChannels),
        GuideShare = Get(p, _guideShare, D.GuideShare),
        Sampler = Get(p, _sampler, D.Sampler),
        Steps = Get(p, _steps, D.Steps),
        Guidance = Get(p, _guidance, D.Guidance),
        GuidanceInterval = Get(p, _guidanceInterval, null) ?? D.GuidanceInterval,
        SamplesPerClass = Get(p, _perClass, D.SamplesPerClass),
        EvalSamples = Get(p, _evalSamples, D.EvalSamples),
        SampleBatch = Get(p, _sampleBatch, new AutoCount(D.SampleBatch)).Value,
        Folder = Get(p, _folder, D.Folder),
        Threads = Get(p, _threads, D.Threads),
        Precision = Get(p, _precision, D.Precision),
        Profile = Get(p, _profile, D.Profile),
        Processes = Get(p, _nproc, D.Processes),
    };

    /// <summary>Whether the command line gives <paramref name="option"/> (not just its default).</summary>
    private static bool Given(ParseResult p, Option option) => p.GetResult(option) is { Implicit: false };

    /// <summary>The option's value, or <paramref name="absent"/> when the chosen command does not take it.</summary>
    private static T Get<T>(ParseResult p, Option<T> option, T absent) => p.GetResult(option) is null ? absent : p.GetValue(option)!;
}
