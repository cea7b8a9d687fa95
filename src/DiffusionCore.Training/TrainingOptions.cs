using DiffusionCore.Labels;
using DiffusionCore.Torch;

namespace DiffusionCore.Training;

/// <summary>
/// Options of a <see cref="DiffusionTrainer"/> run. Time is measured in images seen (Karras et al. 2024, EDM2,
/// Section 3), so the budget and every interval are image counts and survive batch-size changes. Validated up front by
/// <see cref="TrainingOptionsValidator"/>; serialised as JSON into every checkpoint.
/// </summary>
public sealed class TrainingOptions
{
    /// <summary>The run directory: checkpoints (<c>training-state-*.safetensors</c>) and snapshots go here; a run started in a directory holding checkpoints resumes from the newest valid one.</summary>
    public string RunDirectory { get; set; } = string.Empty;

    /// <summary>The run seed: data order, noise levels, noise and dropout are pure functions of it and of the images seen.</summary>
    public long Seed { get; set; }

    /// <summary>The training budget in images (EDM2 img512: 2 147 483 648 = 2048 Mimg).</summary>
    public long TotalImages { get; set; }

    /// <summary>Images per optimizer step (EDM2: 2048).</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Gradient-accumulation rounds per step; the batch is split into this many equal parts (must divide <see cref="BatchSize"/>).</summary>
    public int AccumulationRounds { get; set; } = 1;

    /// <summary>The optimizer.</summary>
    public TrainingOptimizer Optimizer { get; set; } = TrainingOptimizer.Adam;

    /// <summary>The (reference) learning rate: ref_lr of the EDM2 schedule, the plateau of the others (EDM2 img512-s: 0.0100).</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>The learning-rate schedule.</summary>
    public LearningRateScheduleKind LearningRateSchedule { get; set; } = LearningRateScheduleKind.InverseSqrt;

    /// <summary>Images of linear learning-rate ramp-up (EDM2: 10 Mimg; 0 = none).</summary>
    public long RampUpImages { get; set; }

    /// <summary>ref_batches of the EDM2 schedule: batches before the inverse-square-root decay starts (img512: 70 000; 0 = no decay).</summary>
    public double ReferenceBatches { get; set; } = 70_000;

    /// <summary>Adam β₁ (EDM2: 0.9).</summary>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>Adam β₂ (EDM2: 0.99).</summary>
    public double Beta2 { get; set; } = 0.99;

    /// <summary>Adam ε (EDM2: 10⁻⁸).</summary>
    public double Epsilon { get; set; } = 1e-8;

    /// <summary>Weight decay (coupled for Adam, decoupled for AdamW; EDM2: 0).</summary>
    public double WeightDecay { get; set; }

    /// <summary>
    /// Probability of training a sample without its class label, so that one network learns the conditional and the
    /// unconditional denoiser for classifier-free guidance (Ho &amp; Salimans 2022, §3.2: p_uncond 0.1–0.2; 0 = never,
    /// the default). Needs a labelled dataset; drawn per sample from <see cref="TrainingStep.ConditionDropout"/>.
    /// </summary>
    public double LabelDropout { get; set; }

    /// <summary>
    /// Probability of training a sample with neutral (all-zero) control metadata, independently of
    /// <see cref="LabelDropout"/> (Berrada et al. 2024; docs/control-conditioning.md), so that sampling can guide the
    /// controls with their own scale (<c>ControlGuidance</c>). Drawn per sample from <see cref="TrainingStep.ControlDropout"/>;
    /// acts on the <see cref="ConditioningKeys.ControlMetadata"/> entry (from <c>DiffusionTrainer.ControlAugmentation</c>). 0 = never (default).
    /// </summary>
    public double ControlDropout { get; set; }

    /// <summary>
    /// How the trainer writes class labels into the conditioning: int64 indices (a dropped label is the null label,
    /// index = number of classes, as DiT) or float32 one-hot rows (a dropped label is the zero row, as the EDM and EDM2
    /// networks expect). Null (the default) takes the format the network declares (<see cref="IClassConditioned"/>:
    /// every built-in network does), or indices for a network that declares none; a format that contradicts the
    /// network's is refused when the trainer is created.
    /// </summary>
    public ClassLabelFormat? LabelFormat { get; set; }

    /// <summary>Global gradient-norm clipping threshold (null = none); applied after non-finite gradients are zeroed.</summary>
    public double? GradientClipNorm { get; set; }

    /// <summary>
    /// Precision of the network's products in the forward pass (and so in its backward): <see cref="ComputePrecision.Auto"/>
    /// (default) runs convolutions, linear layers and attention in bfloat16 on a CPU with native bfloat16 (AMX or
    /// AVX512-BF16) and float32 elsewhere. Parameters, gradients, optimizer state, normalisations and the loss stay
    /// float32 in every mode (mixed precision, Micikevicius et al. 2018; see <see cref="MatmulPrecisionScope"/>).
    /// </summary>
    public ComputePrecision Precision { get; set; } = ComputePrecision.Auto;

    /// <summary>Images between checkpoints (0 = only at the end and on cancellation).</summary>
    public long CheckpointIntervalImages { get; set; }

    /// <summary>Checkpoints kept in <see cref="RunDirectory"/>; older ones are deleted after each write.</summary>
    public int KeepCheckpoints { get; set; } = 2;

    /// <summary>Images between EMA snapshots (0 = none).</summary>
    public long SnapshotIntervalImages { get; set; }

    /// <summary>Images between progress log messages (0 = every step).</summary>
    public long LogIntervalImages { get; set; }

    /// <summary>
    /// MaskDM masked pre-training followed by unmasked fine-tuning (Lei et al. 2023; <see cref="MaskedPretrainingOptions"/>);
    /// null (the default) trains without masks. Needs a network with a kept-token forward pass (<see cref="IKeptTokenNetwork"/>).
    /// </summary>
    public MaskedPretrainingOptions? MaskedPretraining { get; set; }

    /// <summary>Resume automatically from the newest valid checkpoint in <see cref="RunDirectory"/> (default true).</summary>
    public bool Resume { get; set; } = true;
}
