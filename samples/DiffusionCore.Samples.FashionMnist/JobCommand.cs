namespace DiffusionCore.Samples.FashionMnist;

/// <summary>The stages the Fashion-MNIST job runs, chosen by its subcommand.</summary>
internal enum JobCommand
{
    /// <summary>Train (resuming), reconstruct the post-hoc EMA, sample and evaluate (the default).</summary>
    Run,

    /// <summary>Train only.</summary>
    Train,

    /// <summary>Reconstruct the post-hoc EMA from the stored snapshots.</summary>
    PostHoc,

    /// <summary>Sample and evaluate from the reconstructed EMA (or the newest checkpoint).</summary>
    Sample,

    /// <summary>Evaluate a folder of images.</summary>
    Evaluate,
}
