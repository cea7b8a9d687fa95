using System.Globalization;
using DiffusionCore.Labels;
using DiffusionCore.Torch;
using Microsoft.Extensions.Options;

namespace DiffusionCore.Training;

/// <summary>Validates <see cref="TrainingOptions"/> up front, reporting every problem with the value and a fix.</summary>
public sealed class TrainingOptionsValidator : IValidateOptions<TrainingOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void Fail(string message) => failures.Add(message);
        static string F(double v) => v.ToString("G", CultureInfo.InvariantCulture);

        if (string.IsNullOrWhiteSpace(options.RunDirectory))
        {
            Fail("RunDirectory is empty: give the directory that holds this run's checkpoints.");
        }
        else if (File.Exists(options.RunDirectory))
        {
            Fail($"RunDirectory '{options.RunDirectory}' is a file: give a directory (new or existing) for this run's checkpoints.");
        }

        if (options.TotalImages < 1) Fail($"TotalImages is {options.TotalImages}: the training budget must be at least one image.");
        if (options.BatchSize < 1) Fail($"BatchSize is {options.BatchSize}: a step needs at least one image.");
        if (options.AccumulationRounds < 1)
        {
            Fail($"AccumulationRounds is {options.AccumulationRounds}: use 1 for no gradient accumulation.");
        }
        else if (options.BatchSize >= 1 && options.BatchSize % options.AccumulationRounds != 0)
        {
            Fail($"BatchSize {options.BatchSize} is not divisible by AccumulationRounds {options.AccumulationRounds}: " +
                 "every round must hold the same number of images; choose a divisor of the batch size.");
        }

        if (!(options.LearningRate >= 0) || !double.IsFinite(options.LearningRate))
        {
            Fail($"LearningRate is {F(options.LearningRate)}: it must be a finite non-negative number (EDM2 img512-s: 0.01).");
        }

        if (options.RampUpImages < 0) Fail($"RampUpImages is {options.RampUpImages}: use 0 for no ramp-up.");
        if (!(options.ReferenceBatches >= 0) || !double.IsFinite(options.ReferenceBatches))
        {
            Fail($"ReferenceBatches is {F(options.ReferenceBatches)}: it must be ≥ 0 (EDM2: 70 000; 0 = no decay).");
        }

        if (!(options.Beta1 >= 0 && options.Beta1 < 1)) Fail($"Beta1 is {F(options.Beta1)}: it must lie in [0, 1) (EDM2: 0.9).");
        if (!(options.Beta2 >= 0 && options.Beta2 < 1)) Fail($"Beta2 is {F(options.Beta2)}: it must lie in [0, 1) (EDM2: 0.99).");
        if (!(options.Epsilon > 0) || !double.IsFinite(options.Epsilon)) Fail($"Epsilon is {F(options.Epsilon)}: it must be positive (EDM2: 1e-8).");
        if (!(options.WeightDecay >= 0) || !double.IsFinite(options.WeightDecay)) Fail($"WeightDecay is {F(options.WeightDecay)}: it must be ≥ 0.");
        if (options.GradientClipNorm is double clip && (!(clip > 0) || !double.IsFinite(clip)))
        {
            Fail($"GradientClipNorm is {F(clip)}: it must be positive, or null for no clipping.");
        }

        if (!(options.LabelDropout is >= 0 and <= 1))
        {
            Fail($"LabelDropout is {F(options.LabelDropout)}: it must lie in [0, 1] (classifier-free guidance: 0.1–0.2; 0 = never drop).");
        }

        if (!(options.ControlDropout is >= 0 and <= 1))
        {
            Fail($"ControlDropout is {F(options.ControlDropout)}: it must lie in [0, 1] (e.g. 0.1; 0 = never drop the controls).");
        }

        if (options.LabelFormat is { } format && !Enum.IsDefined(format))
        {
            Fail($"LabelFormat {options.LabelFormat} is not one of {string.Join(", ", Enum.GetNames<ClassLabelFormat>())}.");
        }

        if (options.CheckpointIntervalImages < 0) Fail($"CheckpointIntervalImages is {options.CheckpointIntervalImages}: use 0 to checkpoint only at the end.");
        if (options.KeepCheckpoints < 1) Fail($"KeepCheckpoints is {options.KeepCheckpoints}: keep at least one checkpoint, or a run cannot resume.");
        if (options.SnapshotIntervalImages < 0) Fail($"SnapshotIntervalImages is {options.SnapshotIntervalImages}: use 0 for no snapshots.");
        if (options.LogIntervalImages < 0) Fail($"LogIntervalImages is {options.LogIntervalImages}: use 0 to log every step.");
        if (!Enum.IsDefined(options.Precision))
        {
            Fail($"Precision {options.Precision} is not one of {string.Join(", ", Enum.GetNames<ComputePrecision>())}.");
        }

        if (!Enum.IsDefined(options.Optimizer)) Fail($"Optimizer {options.Optimizer} is not one of {string.Join(", ", Enum.GetNames<TrainingOptimizer>())}.");
        if (!Enum.IsDefined(options.LearningRateSchedule))
        {
            Fail($"LearningRateSchedule {options.LearningRateSchedule} is not one of {string.Join(", ", Enum.GetNames<LearningRateScheduleKind>())}.");
        }

        if (options.MaskedPretraining is { } masked)
        {
            if (masked.PretrainImages < 0 || masked.PretrainImages > options.TotalImages)
            {
                Fail($"MaskedPretraining.PretrainImages is {masked.PretrainImages}: it must lie in [0, TotalImages = {options.TotalImages}] " +
                     "(the images of masked pre-training; the rest fine-tunes without masks).");
            }

            if (masked.Mask is null) Fail("MaskedPretraining.Mask is null: give the mask options (e.g. new TokenMaskOptions { Kind = Blocks, Ratio = 0.9, BlockSize = 4 }).");
            else foreach (string problem in masked.Mask.Problems()) Fail("MaskedPretraining." + problem);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Validates and throws <see cref="OptionsValidationException"/> listing every failure.</summary>
    public static void ThrowIfInvalid(TrainingOptions options)
    {
        ValidateOptionsResult result = new TrainingOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TrainingOptions), result.Failures);
        }
    }
}
