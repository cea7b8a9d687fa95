using DiffusionCore.Denoisers;
using DiffusionCore.Schedules;

namespace DiffusionCore.Models;

/// <summary>
/// The preconditioning / parameterisation of a model file (Karras et al. 2022, Table 1; docs/recipes.md §1,
/// "The denoiser and its preconditioning"): its kind and the parameters of its constructor, so that <c>Load(path)</c> rebuilds the same
/// <see cref="Preconditioning"/>. Kinds: <c>edm</c>, <c>vp</c>, <c>ve</c>, <c>iddpm</c>, <c>epsilon</c>,
/// <c>v</c>, <c>flow</c>.
/// </summary>
public sealed record PreconditioningDescription
{
    /// <summary>The kind (<c>edm</c>, <c>vp</c>, <c>ve</c>, <c>iddpm</c>, <c>epsilon</c>, <c>v</c>, <c>flow</c>).</summary>
    public required string Kind { get; init; }

    /// <summary>σ_data (<c>edm</c>, <c>v</c>).</summary>
    public double? SigmaData { get; init; }

    /// <summary>σ_min (<c>ve</c>).</summary>
    public double? SigmaMin { get; init; }

    /// <summary>σ_max (<c>ve</c>).</summary>
    public double? SigmaMax { get; init; }

    /// <summary>β_d of the VP noise level (<c>vp</c>).</summary>
    public double? BetaD { get; init; }

    /// <summary>β_min of the VP noise level (<c>vp</c>).</summary>
    public double? BetaMin { get; init; }

    /// <summary>M, the number of discrete steps (<c>vp</c>, <c>iddpm</c>).</summary>
    public int? M { get; init; }

    /// <summary>ε_t (<c>vp</c>).</summary>
    public double? EpsilonT { get; init; }

    /// <summary>C1 of the iDDPM table (<c>iddpm</c>).</summary>
    public double? C1 { get; init; }

    /// <summary>C2 of the iDDPM table (<c>iddpm</c>).</summary>
    public double? C2 { get; init; }

    /// <summary>The time scale (<c>flow</c>).</summary>
    public double? TimeScale { get; init; }

    /// <summary>The β of the discrete training schedule (<c>epsilon</c>, <c>v</c>).</summary>
    public IReadOnlyList<double>? Betas { get; init; }

    /// <summary>How fractional timesteps reach the network (<c>epsilon</c>, <c>v</c>).</summary>
    public TimestepRounding? Rounding { get; init; }

    /// <summary>Whether learned-variance channels are discarded (<see cref="PreconditionedDenoiserOptions.DiscardLearnedVariance"/>).</summary>
    public bool DiscardLearnedVariance { get; init; }

    /// <summary>Describes a preconditioning of one of the built-in kinds.</summary>
    /// <param name="preconditioning">The preconditioning.</param>
    /// <param name="options">The denoiser options (learned-variance handling); null for the defaults.</param>
    /// <exception cref="ArgumentException">The preconditioning is of a type a model file cannot describe.</exception>
    public static PreconditioningDescription From(Preconditioning preconditioning, PreconditionedDenoiserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(preconditioning);
        bool discard = options?.DiscardLearnedVariance ?? false;
        return preconditioning switch
        {
            EdmPreconditioning p => new() { Kind = "edm", SigmaData = p.SigmaData, DiscardLearnedVariance = discard },
            VePreconditioning p => new() { Kind = "ve", SigmaMin = p.SigmaMin, SigmaMax = p.SigmaMax, DiscardLearnedVariance = discard },
            VpPreconditioning p => new()
            {
                Kind = "vp", BetaD = p.NoiseLevel.BetaD, BetaMin = p.NoiseLevel.BetaMin, M = p.M, EpsilonT = p.EpsilonT, DiscardLearnedVariance = discard,
            },
            IddpmPreconditioning p => new() { Kind = "iddpm", M = p.Table.M, C1 = p.Table.C1, C2 = p.Table.C2, DiscardLearnedVariance = discard },
            EpsilonPredictionPreconditioning p => new() { Kind = "epsilon", Betas = [.. p.Schedule.Betas], Rounding = p.Rounding, DiscardLearnedVariance = discard },
            VPredictionPreconditioning p => new()
            {
                Kind = "v", Betas = [.. p.Schedule.Betas], Rounding = p.Rounding, SigmaData = p.SigmaData, DiscardLearnedVariance = discard,
            },
            FlowMatchingPreconditioning p => new() { Kind = "flow", TimeScale = p.TimeScale, DiscardLearnedVariance = discard },
            _ => throw new ArgumentException(
                $"A model file cannot describe the preconditioning {preconditioning.GetType().Name}: use one of EdmPreconditioning, VpPreconditioning, " +
                "VePreconditioning, IddpmPreconditioning, EpsilonPredictionPreconditioning, VPredictionPreconditioning, FlowMatchingPreconditioning.",
                nameof(preconditioning)),
        };
    }

    /// <summary>Rebuilds the preconditioning.</summary>
    /// <exception cref="ModelFileException">The kind is unknown or a parameter it needs is missing.</exception>
    public Preconditioning Create() => Kind switch
    {
        "edm" => new EdmPreconditioning(Need(SigmaData, nameof(SigmaData))),
        "ve" => new VePreconditioning(Need(SigmaMin, nameof(SigmaMin)), Need(SigmaMax, nameof(SigmaMax))),
        "vp" => new VpPreconditioning(new VpNoiseLevel(Need(BetaD, nameof(BetaD)), Need(BetaMin, nameof(BetaMin))), Need(M, nameof(M)), Need(EpsilonT, nameof(EpsilonT))),
        "iddpm" => new IddpmPreconditioning(new IddpmUTable(Need(M, nameof(M)), Need(C1, nameof(C1)), Need(C2, nameof(C2)))),
        "epsilon" => new EpsilonPredictionPreconditioning(new DiscreteSchedule(NeedBetas()), Need(Rounding, nameof(Rounding))),
        "v" => new VPredictionPreconditioning(new DiscreteSchedule(NeedBetas()), Need(Rounding, nameof(Rounding)), Need(SigmaData, nameof(SigmaData))),
        "flow" => new FlowMatchingPreconditioning(Need(TimeScale, nameof(TimeScale))),
        _ => throw new ModelFileException($"Unknown preconditioning kind '{Kind}' in the model description; known: edm, vp, ve, iddpm, epsilon, v, flow."),
    };

    /// <summary>The denoiser options of <see cref="Create"/> (learned-variance handling).</summary>
    public PreconditionedDenoiserOptions CreateOptions() => new() { DiscardLearnedVariance = DiscardLearnedVariance };

    private T Need<T>(T? value, string name)
        where T : struct =>
        value ?? throw new ModelFileException($"The '{Kind}' preconditioning in the model description has no {name}; rewrite the file with ModelFile.Save.");

    private double[] NeedBetas() =>
        Betas is { Count: > 0 } b ? [.. b] : throw new ModelFileException($"The '{Kind}' preconditioning in the model description has no Betas; rewrite the file with ModelFile.Save.");
}
