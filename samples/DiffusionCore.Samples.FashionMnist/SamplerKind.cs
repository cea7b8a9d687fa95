using DiffusionCore.Sampling;
using DiffusionCore.Torch;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>The job's samplers (docs/sampling.md, Solvers); on the command line and in summary.json by <see cref="SamplerCatalog.Name"/>.</summary>
internal enum SamplerKind
{
    /// <summary>Heun's second-order method (Karras et al. 2022, Alg. 1).</summary>
    Heun,

    /// <summary>Euler's method.</summary>
    Euler,

    /// <summary>DPM-Solver++(2M) (Lu et al. 2022).</summary>
    Dpm2m,

    /// <summary>UniPC, order 2, bh2 (Zhao et al. 2023).</summary>
    UniPc,

    /// <summary>UniPC, order 3, bh2 (Zhao et al. 2023).</summary>
    UniPc3,

    /// <summary>Linear multistep, order 4 (k-diffusion's LMS).</summary>
    Lms,

    /// <summary>Euler ancestral (η = 1).</summary>
    EulerAncestral,

    /// <summary>DPM-Solver++(2M) SDE (η = 1).</summary>
    Dpm2mSde,

    /// <summary>DPM-Solver++(3M) SDE (η = 1).</summary>
    Dpm3mSde,
}

/// <summary>The command-line names of <see cref="SamplerKind"/> and the library sampler each one creates.</summary>
internal static class SamplerCatalog
{
    /// <summary>Every sampler with its command-line name.</summary>
    public static IReadOnlyList<(string Name, SamplerKind Value)> Names { get; } =
    [
        ("heun", SamplerKind.Heun), ("euler", SamplerKind.Euler), ("dpm2m", SamplerKind.Dpm2m), ("unipc", SamplerKind.UniPc),
        ("unipc3", SamplerKind.UniPc3), ("lms", SamplerKind.Lms), ("euler-ancestral", SamplerKind.EulerAncestral),
        ("dpm2m-sde", SamplerKind.Dpm2mSde), ("dpm3m-sde", SamplerKind.Dpm3mSde),
    ];

    /// <summary>The command-line name of <paramref name="kind"/>.</summary>
    public static string Name(SamplerKind kind) => Names.First(n => n.Value == kind).Name;

    /// <summary>The library sampler for <paramref name="kind"/>, computing its products in <paramref name="precision"/>.</summary>
    public static ISampler Create(SamplerKind kind, ComputePrecision precision) => kind switch
    {
        SamplerKind.Heun => new HeunSampler(new HeunOptions { Precision = precision }),
        SamplerKind.Euler => new EulerSampler(new EulerOptions { Precision = precision }),
        SamplerKind.Dpm2m => new DpmSolverPlusPlus2MSampler(new DpmSolverPlusPlus2MOptions { Precision = precision }),
        SamplerKind.UniPc => new UniPcSampler(new UniPcOptions { Precision = precision, Order = 2 }),
        SamplerKind.UniPc3 => new UniPcSampler(new UniPcOptions { Precision = precision, Order = 3 }),
        SamplerKind.Lms => new LmsSampler(new LmsOptions { Precision = precision }),
        SamplerKind.EulerAncestral => new EulerAncestralSampler(new EulerAncestralOptions { Precision = precision }),
        SamplerKind.Dpm2mSde => new DpmSolverPlusPlus2MSdeSampler(new DpmSolverPlusPlus2MSdeOptions { Precision = precision }),
        SamplerKind.Dpm3mSde => new DpmSolverPlusPlus3MSdeSampler(new DpmSolverPlusPlus3MSdeOptions { Precision = precision }),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown sampler."),
    };
}
