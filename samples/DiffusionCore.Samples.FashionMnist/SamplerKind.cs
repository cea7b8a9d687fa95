namespace DiffusionCore.Samples.FashionMnist;

/// <summary>The job's samplers (docs/sampling.md); on the command line and in summary.json by their lower-case names.</summary>
internal enum SamplerKind
{
    /// <summary>Heun's second-order method (Karras et al. 2022, Alg. 1).</summary>
    Heun,

    /// <summary>Euler's method.</summary>
    Euler,

    /// <summary>DPM-Solver++(2M) (Lu et al. 2022).</summary>
    Dpm2m,
}
