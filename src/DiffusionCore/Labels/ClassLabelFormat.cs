namespace DiffusionCore.Labels;

/// <summary>
/// How class labels are written into <see cref="ConditioningKeys.ClassLabels"/>, and so what a dropped (unconditional)
/// label looks like (Ho &amp; Salimans 2022, §3.2: the null token ∅).
/// </summary>
public enum ClassLabelFormat
{
    /// <summary>int64 class indices <c>[B]</c>; a dropped label is the null label, index = number of classes (DiT).</summary>
    Indices,

    /// <summary>float32 one-hot rows <c>[B, L]</c>; a dropped label is the zero row (EDM, EDM2).</summary>
    OneHot,
}
