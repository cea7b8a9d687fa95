namespace DiffusionCore.Samples.FashionMnist;

/// <summary>How the job guides its samples (docs/sampling.md, Guidance).</summary>
internal enum GuideKind
{
    /// <summary>Classifier-free guidance (Ho &amp; Salimans 2022): the same network without its label, trained with label dropout.</summary>
    Cfg,

    /// <summary>
    /// Autoguidance (Karras et al. 2024, "Guiding a diffusion model with a bad version of itself"): a smaller
    /// conditional network trained for a share of the job's budget guides the main one.
    /// </summary>
    Auto,
}
