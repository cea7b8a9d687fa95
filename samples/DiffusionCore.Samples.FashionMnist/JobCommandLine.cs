using System.CommandLine;
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
        DiffusionCore Fashion-MNIST job: a class-conditional EDM2 UNet (32×32, EDM2 loss, power-function EMA,
        inverse-sqrt learning rate), post-hoc EMA, Heun sampling and FD/class-agreement evaluation.
        Without a command it runs every stage (run).
        """;

    private static readonly JobOptions D = JobOptions.Defaults;

    private readonly Option<string> _run = new("--run") { Description = "run directory (checkpoints, snapshots)", DefaultValueFactory = _ => D.RunDirectory };
    private readonly Option<string?> _out = new("--out") { Description = "output directory [default: <run>/output]" };
    private readonly Option<long> _seed = TypedOption.Number("--seed", "seed of training and sampling", D.Seed, s => s >= 0, "must be >= 0");
    private readonly Option<long> _images = TypedOption.Positive("--images", "training budget in images seen", D.Images);
    private readonly Option<double?> _minutes = TypedOption.OptionalPositive<double>("--minutes", "stop training after M minutes (checkpointed; run again to continue)");
    private readonly Option<int> _batch = TypedOption.Positive("--batch", "batch size", D.Batch);
    private readonly Option<int> _channels = TypedOption.Positive("--channels", "model channels of the UNet", D.Channels);
    private readonly Option<int> _blocks = TypedOption.Positive("--blocks", "residual blocks per level", D.Blocks);
    private readonly Option<double> _lr = TypedOption.Positive("--lr", "EDM2 reference learning rate", D.LearningRate);
    private readonly Option<double> _labelDropout = TypedOption.Number("--label-dropout", "probability of training without the label (CFG)", D.LabelDropout,
        p => p is >= 0 and < 1, "must be in [0, 1)");
    private readonly Option<double> _sigmaRel = TypedOption.Positive("--sigma-rel", "post-hoc EMA length", D.SigmaRel);
    private readonly Option<SamplerKind> _sampler = ChoiceOption.Choice("--sampler", "sampler", D.Sampler);
    private readonly Option<int> _steps = TypedOption.Positive("--steps", "sampler steps", D.Steps);
    private readonly Option<double> _guidance = TypedOption.Number("--guidance", "classifier-free guidance scale (1 = none)", D.Guidance);
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
        Option[] model = [_seed, _precision, _channels, _blocks];
        Option[] training = [_images, _minutes, _batch, _lr, _labelDropout, _profile, _nproc];
        Option[] sampling = [_sigmaRel, _sampler, _steps, _guidance, _perClass, _evalSamples, _sampleBatch];
        Option[] everything = [.. where, _out, .. model, .. training, .. sampling];

        var root = new RootCommand(Description);
        Add(root, JobCommand.Run, everything);
        root.Subcommands.Add(Add(new Command("run", "train (resuming automatically), reconstruct the post-hoc EMA, sample and write everything (the default)"), JobCommand.Run, everything));
        root.Subcommands.Add(Add(new Command("train", "train only (resumes from the newest valid checkpoint in --run)"), JobCommand.Train, [.. where, _out, .. model, .. training]));
        root.Subcommands.Add(Add(new Command("posthoc", "reconstruct the EMA for --sigma-rel from the stored snapshots"), JobCommand.PostHoc, [.. where, _sigmaRel]));
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
        Batch = Get(p, _batch, D.Batch),
        Channels = Get(p, _channels, D.Channels),
        Blocks = Get(p, _blocks, D.Blocks),
        LearningRate = Get(p, _lr, D.LearningRate),
        LabelDropout = Get(p, _labelDropout, D.LabelDropout),
        SigmaRel = Get(p, _sigmaRel, D.SigmaRel),
        Sampler = Get(p, _sampler, D.Sampler),
        Steps = Get(p, _steps, D.Steps),
        Guidance = Get(p, _guidance, D.Guidance),
        SamplesPerClass = Get(p, _perClass, D.SamplesPerClass),
        EvalSamples = Get(p, _evalSamples, D.EvalSamples),
        SampleBatch = Get(p, _sampleBatch, new AutoCount(D.SampleBatch)).Value,
        Folder = Get(p, _folder, D.Folder),
        Threads = Get(p, _threads, D.Threads),
        Precision = Get(p, _precision, D.Precision),
        Profile = Get(p, _profile, D.Profile),
        Processes = Get(p, _nproc, D.Processes),
    };

    /// <summary>The option's value, or <paramref name="absent"/> when the chosen command does not take it.</summary>
    private static T Get<T>(ParseResult p, Option<T> option, T absent) => p.GetResult(option) is null ? absent : p.GetValue(option)!;
}
