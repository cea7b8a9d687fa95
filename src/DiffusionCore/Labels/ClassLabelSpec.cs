namespace DiffusionCore.Labels;

/// <summary>
/// How a network takes class labels in <see cref="ConditioningKeys.ClassLabels"/> and what "no class" is for it (Ho
/// &amp; Salimans 2022, §3.2: the null token ∅ of classifier-free guidance), declared by the network itself
/// (<see cref="IClassConditioned"/>) and stored in model files, so that guidance asks the network for its unconditional
/// input instead of the user choosing zeros or a null index (docs/recipes.md §2, "Guidance").
/// </summary>
/// <param name="ClassCount">The number of classes L (≥ 1).</param>
/// <param name="Format">
/// The network's own label format: <see cref="ClassLabelFormat.OneHot"/> (EDM, EDM2: float rows <c>[B, L]</c>, the
/// zero row is unconditional; integer indices are accepted and one-hot encoded) or <see cref="ClassLabelFormat.Indices"/>
/// (DiT: int64 <c>[B]</c>, index L is the null label).
/// </param>
/// <param name="HasUnconditional">
/// Whether the network has an unconditional input at all: always for one-hot networks; for index networks only when
/// the label table has the null row (DiT trained with label dropout).
/// </param>
public sealed record ClassLabelSpec(int ClassCount, ClassLabelFormat Format, bool HasUnconditional = true)
{
    /// <summary>The null label of an index network (index = <see cref="ClassCount"/>).</summary>
    /// <exception cref="InvalidOperationException">The network takes one-hot rows, or has no null label.</exception>
    public long NullLabel => Format == ClassLabelFormat.Indices && HasUnconditional
        ? ClassCount
        : throw new InvalidOperationException(
            Format == ClassLabelFormat.OneHot
                ? "A one-hot network has no null index: its unconditional label is the zero row."
                : $"This network has no null label (its {ClassCount}-class table has no extra row): it was built without label dropout.");

    /// <summary>The one-hot spec of an EDM-family network with <paramref name="labelDim"/> classes, or null when it is unconditional (0).</summary>
    public static ClassLabelSpec? OneHot(int labelDim) => labelDim > 0 ? new ClassLabelSpec(labelDim, ClassLabelFormat.OneHot) : null;

    /// <summary>Throws unless the spec is well formed.</summary>
    /// <exception cref="ArgumentException">The class count is below 1, the format unknown, or a one-hot spec claims no unconditional input.</exception>
    public void Validate()
    {
        if (ClassCount < 1)
        {
            throw new ArgumentException($"A class-label spec needs at least one class; got {ClassCount}.", nameof(ClassCount));
        }

        if (!Enum.IsDefined(Format))
        {
            throw new ArgumentException($"Unknown class-label format {Format}; use {string.Join(" or ", Enum.GetNames<ClassLabelFormat>())}.", nameof(Format));
        }

        if (Format == ClassLabelFormat.OneHot && !HasUnconditional)
        {
            throw new ArgumentException("A one-hot network always has the zero row as its unconditional label.", nameof(HasUnconditional));
        }
    }
}
