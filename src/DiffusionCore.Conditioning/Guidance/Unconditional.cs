using DiffusionCore.Labels;
using DiffusionCore.Torch;

namespace DiffusionCore.Guidance;

/// <summary>
/// Mappings from a batch's conditioning to its unconditional counterpart for <see cref="ClassifierFreeGuidance"/>,
/// <see cref="CfgPlusPlus"/> and <see cref="AdaptiveProjectedGuidance"/> (Ho &amp; Salimans 2022, §3.2: the null token
/// ∅). Prefer <see cref="For(IDenoiser)"/> or <see cref="For(ClassLabelSpec)"/>: they take the unconditional label the
/// network declares, so zeros can never be read as class 0.
/// </summary>
public static class Unconditional
{
    /// <summary>
    /// The unconditional mapping the denoiser's network declares (<see cref="IClassConditioned"/>: EDM2, SongUNet,
    /// DhariwalUNet, DiT, a <c>DiffusionModel</c> loaded from a file, a preconditioned wrapper of any of them).
    /// </summary>
    /// <exception cref="ArgumentException">The denoiser declares no class-label input, or it is unconditional.</exception>
    public static Func<Conditioning, Conditioning> For(IDenoiser denoiser)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        if (denoiser is not IClassConditioned declared)
        {
            throw new ArgumentException(
                $"{denoiser.GetType().Name} does not declare how it takes class labels (IClassConditioned), so its unconditional input is unknown. " +
                "Guide the network's own denoiser (or DiffusionModel.Denoiser), pass Unconditional.For(spec), or give an explicit mapping.", nameof(denoiser));
        }

        return For(declared.ClassLabelSpec ?? throw new ArgumentException(
            $"{denoiser.GetType().Name} takes no class labels (an unconditional network): classifier-free guidance has nothing to guide. " +
            "Use Autoguidance for an unconditional model.", nameof(denoiser)));
    }

    /// <summary>
    /// The unconditional mapping of a declared class-label input: zero rows <c>[B, L]</c> for a one-hot network (EDM,
    /// EDM2), the null label for an index network (DiT). The conditional labels are checked against the spec
    /// (<see cref="ClassLabels.Check"/>) on every call: integer labels where rows are expected are accepted for
    /// one-hot networks (and never turned into class 0), out-of-range labels and wrong widths are errors.
    /// </summary>
    /// <exception cref="ArgumentException">An index network without a null label (trained without label dropout).</exception>
    public static Func<Conditioning, Conditioning> For(ClassLabelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        if (!spec.HasUnconditional)
        {
            throw new ArgumentException(
                $"This {spec.ClassCount}-class index network has no null label (it was built without label dropout), so it has no unconditional " +
                "branch for classifier-free guidance. Train it with label dropout, or use Autoguidance.", nameof(spec));
        }

        return c =>
        {
            Tensor labels = c.ClassLabels ?? throw new ArgumentException(
                $"The conditioning has no '{ConditioningKeys.ClassLabels}' entry to guide; pass the classes with Conditioning.FromClassLabels.");
            long batch = labels.Size(0);
            ClassLabels.Check(spec, labels, batch);
            Tensor unconditional = spec.Format == ClassLabelFormat.OneHot
                ? Tensor.Zeros([batch, spec.ClassCount], DType.Float32, labels.Device)
                : Tensor.Full([batch], spec.NullLabel, labels.DType, labels.Device);
            return c.With(ConditioningKeys.ClassLabels, unconditional);
        };
    }

    /// <summary>
    /// Replaces integer class labels <c>[B]</c> by the null label (DiT: index = number of classes, the extra embedding
    /// row trained with label dropout). Other entries are kept, so both branches batch into one call.
    /// </summary>
    /// <exception cref="ArgumentException">(When called) the labels are float rows: their "no class" is the zero row, not an index.</exception>
    public static Func<Conditioning, Conditioning> NullClassLabel(long nullLabel) => c =>
    {
        Tensor labels = c.Get(ConditioningKeys.ClassLabels);
        if (labels.DType.IsFloatingPoint() || labels.Dim != 1)
        {
            throw new ArgumentException(
                $"NullClassLabel replaces integer class indices [B], but the labels are [{string.Join(", ", labels.Shape)}] of {labels.DType}: " +
                "one-hot rows mean \"no class\" as the zero row. Use Unconditional.For(denoiser), which asks the network.");
        }

        return c.With(ConditioningKeys.ClassLabels, Tensor.Full(labels.Shape, nullLabel, DType.Int64, labels.Device));
    };

    /// <summary>
    /// Replaces one-hot class labels <c>[B, C]</c> by zeros (the EDM convention for "no class").
    /// </summary>
    /// <exception cref="ArgumentException">
    /// (When called) the labels are integer class indices: zeros would be class 0, not "no class" (the silent mis-wiring
    /// of guidance this library refuses). Use <see cref="For(IDenoiser)"/>, which asks the network.
    /// </exception>
    public static Func<Conditioning, Conditioning> ZeroClassLabels() => c =>
    {
        Tensor labels = c.Get(ConditioningKeys.ClassLabels);
        if (!labels.DType.IsFloatingPoint())
        {
            throw new ArgumentException(
                $"ZeroClassLabels got integer class indices [{string.Join(", ", labels.Shape)}] of {labels.DType}: zeros would be class 0, not \"no class\", " +
                "and guidance would silently push every sample towards or away from class 0. Use Unconditional.For(denoiser) (the network's own " +
                "unconditional label), or pass one-hot float labels.");
        }

        return c.With(ConditioningKeys.ClassLabels, labels.ZerosLike());
    };

    /// <summary>Replaces the named entries by zeros of the same shape (e.g. text embeddings, control metadata).</summary>
    public static Func<Conditioning, Conditioning> Zeros(params string[] names) => c =>
    {
        Conditioning result = c;
        foreach (string n in names) result = result.With(n, c.Get(n).ZerosLike());
        return result;
    };

    /// <summary>Removes the named entries (the branches are then evaluated in two calls).</summary>
    public static Func<Conditioning, Conditioning> Drop(params string[] names) => c =>
    {
        Conditioning result = c;
        foreach (string n in names) result = result.Without(n);
        return result;
    };
}
