using System.Globalization;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Training.Ema;

/// <summary>
/// The power-function EMA of Karras et al. 2024 (EDM2 §3, App. C.1): the average θ̂(t) ∝ ∫₀ᵗ τ^γ θ(τ) dτ, realised
/// in images seen by θ̂ ← lerp(θ̂, θ, 1 − β) with β = (1 − batch/n)^{γ+1}, n the images seen after the step (β = 0 at
/// the first step). γ comes from the relative width σ_rel (<see cref="PowerFunctionEma.SigmaRelToGamma"/>). Unlike a
/// half-life EMA, the profile scales with the length of training, which is what lets stored snapshots of two such
/// averages be recombined after training into any other σ_rel (<see cref="PostHocEmaReconstructor"/>).
/// </summary>
public sealed class PowerEmaTracker : EmaTracker
{
    /// <summary>Starts the average as a float32 copy of <paramref name="network"/> (overwritten by the first update, where β = 0).</summary>
    /// <param name="network">The network that will be trained.</param>
    /// <param name="options">σ_rel and name; σ_rel = 0.05 when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">σ_rel is outside (0, 1/√12 ≈ 0.2887).</exception>
    public PowerEmaTracker(Module network, PowerEmaOptions? options = null)
        : base(network, DefaultName(Validated(options)))
    {
        Options = options ?? new PowerEmaOptions();
        SigmaRel = Options.SigmaRel;
        Gamma = PowerFunctionEma.SigmaRelToGamma(SigmaRel);
    }

    /// <summary>The validated settings.</summary>
    public PowerEmaOptions Options { get; }

    /// <summary>The relative width σ_rel of the profile.</summary>
    public double SigmaRel { get; }

    /// <summary>The profile exponent γ (EDM2 App. C.2).</summary>
    public double Gamma { get; }

    /// <inheritdoc />
    protected override string Kind => "power";

    /// <summary>
    /// One tracker per σ_rel, all started from <paramref name="network"/>: the set a run trains with and snapshots
    /// (EDM2 App. C.3 tracks σ_rel 0.05 and 0.10, the default).
    /// </summary>
    /// <param name="network">The network that will be trained.</param>
    /// <param name="sigmaRels">The widths to track; <see cref="PowerEmaOptions.DefaultSigmaRels"/> when null.</param>
    /// <returns>The trackers, in the order of <paramref name="sigmaRels"/>; the caller disposes them.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A σ_rel is outside (0, 1/√12 ≈ 0.2887).</exception>
    /// <exception cref="ArgumentException">Two σ_rel values give the same tracker name.</exception>
    public static IReadOnlyList<PowerEmaTracker> CreateSet(Module network, IEnumerable<double>? sigmaRels = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        double[] values = [.. sigmaRels ?? PowerEmaOptions.DefaultSigmaRels];
        if (values.Length == 0)
        {
            throw new ArgumentException("Give at least one σ_rel to track.", nameof(sigmaRels));
        }

        var options = values.Select(s => new PowerEmaOptions { SigmaRel = s }).ToArray();
        foreach (PowerEmaOptions o in options)
        {
            o.Validate();
        }

        string? duplicate = options.GroupBy(DefaultName).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two σ_rel values give the tracker name '{duplicate}'; give distinct widths (three decimals name a tracker).", nameof(sigmaRels));
        }

        var trackers = new List<PowerEmaTracker>();
        try
        {
            foreach (PowerEmaOptions o in options)
            {
                trackers.Add(new PowerEmaTracker(network, o));
            }
        }
        catch
        {
            trackers.ForEach(static t => t.Dispose());
            throw;
        }

        return trackers;
    }

    /// <inheritdoc />
    /// <remarks>β = (1 − batch/n)^{γ+1} (EDM2 App. C.1); 0 at the first step.</remarks>
    public override double Beta(long imagesSeen, long batchImages) => PowerFunctionEma.Beta(Gamma, imagesSeen, batchImages);

    /// <inheritdoc />
    protected override void WriteSettings(IDictionary<string, string> metadata, string prefix)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        metadata[prefix + "sigma_rel"] = EmaArguments.Format(SigmaRel);
        metadata[prefix + "gamma"] = EmaArguments.Format(Gamma);
    }

    /// <inheritdoc />
    /// <remarks>Refuses a checkpoint written for another σ_rel: its average has another profile and cannot be continued.</remarks>
    protected override void CheckSettings(IReadOnlyDictionary<string, string> metadata, string prefix)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.TryGetValue(prefix + "sigma_rel", out string? text))
        {
            double stored = EmaArguments.ParseDouble(text, prefix + "sigma_rel");
            if (stored != SigmaRel)
            {
                throw new InvalidDataException(
                    $"EMA tracker '{Name}' tracks σ_rel = {EmaArguments.Format(SigmaRel)} but the checkpoint under '{prefix}' holds σ_rel = {text}.");
            }
        }
    }

    private static PowerEmaOptions Validated(PowerEmaOptions? options)
    {
        options ??= new PowerEmaOptions();
        options.Validate();
        return options;
    }

    private static string DefaultName(PowerEmaOptions options) =>
        options.Name ?? "phema-" + options.SigmaRel.ToString("0.000", CultureInfo.InvariantCulture);
}
