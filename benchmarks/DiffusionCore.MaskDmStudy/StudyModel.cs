using DiffusionCore.Networks.DiT;
using DiffusionCore.Schedules;

namespace DiffusionCore.MaskDmStudy;

/// <summary>The study's model: a small class-conditional DiT on Fashion-MNIST 32×32, patch 4 (an 8×8 grid of 64 tokens), trained with the EDM loss and preconditioning (the step-time command uses DiT's DDPM ε-loss).</summary>
internal static class StudyModel
{
    public const int Resolution = 32;

    public static DiTOptions Options { get; } = new()
    {
        InputSize = Resolution,
        PatchSize = 4,
        InChannels = 1,
        HiddenSize = 128,
        Depth = 6,
        NumHeads = 4,
        NumClasses = 10,
        ClassDropoutProbability = 0,
        LearnSigma = false,
    };

    /// <summary>DiT's schedule: linear β 10⁻⁴ → 0.02 over 1000 steps.</summary>
    public static DiscreteSchedule Schedule { get; } = DiscreteSchedule.Linear(1000, 1e-4, 0.02);
}
