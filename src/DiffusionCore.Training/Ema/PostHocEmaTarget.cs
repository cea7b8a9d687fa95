namespace DiffusionCore.Training.Ema;

/// <summary>An average to reconstruct after training (Karras et al. 2024, EDM2 §3): a relative width and an end time.</summary>
/// <param name="SigmaRel">σ_rel of the wanted power-function profile, in (0, 1/√12 ≈ 0.2887).</param>
/// <param name="ImagesSeen">The end time: the images seen of one of the stored snapshots, or null for the latest.</param>
public readonly record struct PostHocEmaTarget(double SigmaRel, long? ImagesSeen = null);
