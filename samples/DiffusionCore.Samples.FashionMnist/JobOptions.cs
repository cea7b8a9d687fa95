using System.Globalization;
using DiffusionCore.Torch;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>Command-line options of the Fashion-MNIST job, with the defaults of the README's main job.</summary>
internal sealed class JobOptions
{
    public string Command { get; private set; } = "run";

    public string RunDirectory { get; private set; } = "runs/fashion-mnist";

    public string? OutputDirectory { get; private set; }

    public long Seed { get; private set; }

    public long Images { get; private set; } = 28_000;

    public double? Minutes { get; private set; }

    public int Batch { get; private set; } = 64;

    public int Channels { get; private set; } = 32;

    public int Blocks { get; private set; } = 1;

    public double LearningRate { get; private set; } = 0.01;

    public double LabelDropout { get; private set; } = 0.1;

    public double SigmaRel { get; private set; } = 0.10;

    public string Sampler { get; private set; } = "heun";

    public int Steps { get; private set; } = 18;

    public double Guidance { get; private set; } = 2.0;

    public int SamplesPerClass { get; private set; } = 10;

    public int EvalSamples { get; private set; } = 300;

    public string? Folder { get; private set; }

    public int Threads { get; private set; } = Math.Max(1, Environment.ProcessorCount);

    public ComputePrecision Precision { get; private set; } = ComputePrecision.Auto;

    /// <summary>The sampling batch size; null plans it (SamplingBatchPlanner).</summary>
    public int? SampleBatch { get; private set; }

    public bool Profile { get; private set; }

    public string Output => OutputDirectory ?? Path.Combine(RunDirectory, "output");

    public const string Usage = """
        DiffusionCore Fashion-MNIST job: a class-conditional EDM2 UNet (32×32, EDM2 loss, power-function EMA,
        inverse-sqrt learning rate), post-hoc EMA, Heun sampling and FD/class-agreement evaluation.

        usage: main.sh [command] [--option value ...]

        commands:
          run        train (resuming automatically), reconstruct the post-hoc EMA, sample and write everything (default)
          train      train only (resumes from the newest valid checkpoint in --run)
          posthoc    reconstruct the EMA for --sigma-rel from the stored snapshots
          sample     sample from the reconstructed EMA (or the newest checkpoint) into --out
          evaluate   measure FD-FMNIST and class agreement of a folder of PNGs (--folder) or of the samples in --out

        options:
          --run DIR            run directory (checkpoints, snapshots)            [runs/fashion-mnist]
          --out DIR            output directory                                  [<run>/output]
          --seed N             seed of training and sampling                     [0]
          --images N           training budget in images seen                    [28000]
          --minutes M          stop training after M minutes (checkpointed; run again to continue)
          --batch N            batch size                                        [64]
          --channels N         model channels of the UNet                        [32]
          --blocks N           residual blocks per level                         [1]
          --lr X               EDM2 reference learning rate                      [0.01]
          --label-dropout P    probability of training without the label (CFG)   [0.1]
          --sigma-rel X        post-hoc EMA length                               [0.10]
          --sampler S          heun | euler | dpm2m                              [heun]
          --steps N            sampler steps                                     [18]
          --guidance W         classifier-free guidance scale (1 = none)         [2.0]
          --per-class N        samples per class in the grid                     [10]
          --eval-samples N     generated images for FD / class agreement         [300]
          --sample-batch B     images per sampling batch: auto (the fastest per image that fits in half the
                               available memory, measured at start) or a number  [auto]
          --folder DIR         images to evaluate (evaluate command)
          --threads N          libtorch intra-op threads                         [all cores]
          --precision P        products (conv, linear, attention) in: auto (default: bfloat16 on a CPU with AMX or
                               AVX512-BF16, else float32), fp32, bf16
          --profile            print how much of the training time is spent inside libtorch vs managed code
        """;

    public static JobOptions Parse(string[] args)
    {
        var o = new JobOptions();
        int i = 0;
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
        {
            o.Command = args[0];
            i = 1;
        }

        if (o.Command is not ("run" or "train" or "posthoc" or "sample" or "evaluate" or "help"))
        {
            throw new ArgumentException($"Unknown command '{o.Command}'. Use run, train, posthoc, sample or evaluate (--help lists the options).");
        }

        for (; i < args.Length; i++)
        {
            string key = args[i];
            if (key is "--help" or "-h") { o.Command = "help"; continue; }
            if (key == "--profile") { o.Profile = true; continue; }
            if (i + 1 >= args.Length) throw new ArgumentException($"Option {key} needs a value.");
            string v = args[++i];
            switch (key)
            {
                case "--run": o.RunDirectory = v; break;
                case "--out": o.OutputDirectory = v; break;
                case "--seed": o.Seed = long.Parse(v, CultureInfo.InvariantCulture) is >= 0 and var s ? s : throw new ArgumentException("--seed must be >= 0."); break;
                case "--images": o.Images = Positive(key, long.Parse(v, CultureInfo.InvariantCulture)); break;
                case "--minutes": o.Minutes = Positive(key, double.Parse(v, CultureInfo.InvariantCulture)); break;
                case "--batch": o.Batch = (int)Positive(key, int.Parse(v, CultureInfo.InvariantCulture)); break;
                case "--channels": o.Channels = (int)Positive(key, int.Parse(v, CultureInfo.InvariantCulture)); break;
                case "--blocks": o.Blocks = (int)Positive(key, int.Parse(v, CultureInfo.InvariantCulture)); break;
                case "--lr": o.LearningRate = Positive(key, double.Parse(v, CultureInfo.InvariantCulture)); break;
                case "--label-dropout": o.LabelDropout = Probability(key, double.Parse(v, CultureInfo.InvariantCulture)); break;
                case "--sigma-rel": o.SigmaRel = Positive(key, double.Parse(v, CultureInfo.InvariantCulture)); break;
                case "--sampler": o.Sampler = v is "heun" or "euler" or "dpm2m" ? v : throw new ArgumentException($"--sampler {v}: use heun, euler or dpm2m."); break;
                case "--steps": o.Steps = (int)Positive(key, int.Parse(v, CultureInfo.InvariantCulture)); break;
                case "--guidance": o.Guidance = double.Parse(v, CultureInfo.InvariantCulture); break;
                case "--per-class": o.SamplesPerClass = (int)Positive(key, int.Parse(v, CultureInfo.InvariantCulture)); break;
                case "--eval-samples": o.EvalSamples = (int)Positive(key, int.Parse(v, CultureInfo.InvariantCulture)); break;
                case "--sample-batch": o.SampleBatch = v == "auto" ? null : (int)Positive(key, int.Parse(v, CultureInfo.InvariantCulture)); break;
                case "--folder": o.Folder = v; break;
                case "--precision":
                    o.Precision = ComputePrecisionExtensions.TryParse(v, out ComputePrecision p) ? p : throw new ArgumentException($"--precision {v}: use auto, fp32 or bf16.");
                    break;
                case "--threads": o.Threads = (int)Positive(key, int.Parse(v, CultureInfo.InvariantCulture)); break;
                default: throw new ArgumentException($"Unknown option {key} (--help lists the options).");
            }
        }

        return o;
    }

    private static T Positive<T>(string key, T value)
        where T : System.Numerics.INumber<T> =>
        value > T.Zero ? value : throw new ArgumentException($"{key} must be positive, got {value}.");

    private static double Probability(string key, double p) =>
        p is >= 0 and < 1 ? p : throw new ArgumentException($"{key} must be in [0, 1), got {p}.");
}
