namespace DiffusionCore.Training.Checkpoints;

/// <summary>The key layout of a training-state checkpoint (tensor and metadata keys).</summary>
public static class TrainingStateKeys
{
    /// <summary>Prefix of the network's state-dict tensors (<c>network.unet.enc.…</c>).</summary>
    public const string Network = "network.";

    /// <summary>Prefix of the optimizer's state tensors and metadata (<see cref="Torch.Optim.OptimizerState"/> layout).</summary>
    public const string Optimizer = "optimizer.";

    /// <summary>Prefix of an EMA tracker's state: <c>ema.{Name}.</c>.</summary>
    public const string Ema = "ema.";

    /// <summary>Metadata: images seen, as an invariant integer.</summary>
    public const string ImagesSeen = "images_seen";

    /// <summary>Metadata: the run seed.</summary>
    public const string Seed = "seed";

    /// <summary>Metadata: the seed-derivation scheme of per-step generators.</summary>
    public const string SeedScheme = "seed_scheme";

    /// <summary>Metadata: the <see cref="TrainingOptions"/> as JSON.</summary>
    public const string Options = "options";

    /// <summary>
    /// Metadata: libtorch's intra-op thread count when the checkpoint was written. A resume is bit-exact only with the
    /// same count (reductions split their work by thread); a different count is logged as a warning.
    /// </summary>
    public const string IntraOpThreads = "intra_op_threads";

    /// <summary>Metadata: the comma-separated EMA tracker names.</summary>
    public const string EmaNames = "ema_names";

    /// <summary>Metadata: the number of data-parallel ranks that trained the run (1 for one process).</summary>
    public const string WorldSize = "world_size";

    /// <summary>The prefix of tracker <paramref name="name"/>.</summary>
    public static string EmaPrefix(string name) => Ema + name + ".";
}
