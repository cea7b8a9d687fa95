using DiffusionCore.Control;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Data;
using DiffusionCore.Training.Ema;
using DiffusionCore.Training.Losses;

namespace DiffusionCore.Training;

public partial class DiffusionTrainer
{
    /// <summary>One optimizer step: the loop body of the EDM2 reference training loop (Karras et al. 2024).</summary>
    private StepResult Step()
    {
        long n = ImagesSeen;
        int batch = _options.BatchSize;
        int rounds = _options.AccumulationRounds;
        (int offset, int local) = LocalSlice();
        int roundSize = local / rounds;
        BeginStep(n);
        double lr = LearningRateSchedule.LearningRate(n);
        Optimizer.SetLearningRate(lr);

        var indices = new int[batch];
        BatchSampler.Fill(n, indices);
        using var step = new TrainingStep(_options.Seed, n, indices, _device, offset);

        Network.Train();
        Optimizer.ZeroGrad();
        double lossSum = 0;
        using (var scope = new TensorScope())
        {
            NoiseDraw? draw = null;
            for (int r = 0; r < rounds; r++)
            {
                using var roundScope = new TensorScope();
                ImageBatch part = Dataset.ReadBatch(indices.AsSpan(offset + (r * roundSize), roundSize));
                Tensor images = part.Images.To(_device, DType.Float32);
                if (draw is null)
                {
                    // σ and noise for the whole batch at once, so the split into rounds does not change them.
                    long[] shape = images.Shape;
                    shape[0] = batch;
                    draw = Loss.Draw(shape, step);
                    draw.Sigma.MoveToOuterScope();
                    draw.Noise.MoveToOuterScope();
                    draw.Timesteps?.MoveToOuterScope();
                }

                Tensor? augmentLabels = null;
                if (Augmentation is { } augmentation)
                {
                    AugmentedBatch augmented = augmentation.Apply(images, step.Augmentation);
                    images = augmented.Images;
                    augmentLabels = augmented.Labels.To(_device);
                }

                Tensor? controls = null;
                if (ControlAugmentation is { } controlAugmentation)
                {
                    AugmentedBatch augmented = controlAugmentation.Apply(images, step.Augmentation);
                    images = augmented.Images;
                    controls = augmented.Labels.To(_device);
                    if (_options.ControlDropout > 0) controls = ControlDropout.Apply(controls, _options.ControlDropout, step.ControlDropout);
                }

                var onDevice = new ImageBatch(images, part.Labels?.To(_device));
                Tensor perSample;
                using (_options.Precision.Enter(_device))
                {
                    Conditioning conditioning = CreateConditioning(step, onDevice).WithDropoutGenerator(step.Dropout);
                    if (augmentLabels is not null) conditioning = conditioning.With(ConditioningKeys.AugmentLabels, augmentLabels);
                    if (controls is not null) conditioning = conditioning.With(ConditioningKeys.ControlMetadata, controls);
                    (conditioning, Tensor? mask) = RoundMasking(step, onDevice, conditioning, n);
                    perSample = Loss.Compute(images, draw.Narrow(offset + (r * roundSize), roundSize), conditioning, mask);
                }

                Tensor total = perSample.To(DType.Float32).Sum();
                (total / batch).Backward();
                lossSum += total.ToDouble();
            }
        }

        GradientReducer.Reduce(_parameters, local);
        GradientUtils.NanToNumGradients(_parameters);
        double? norm = _options.GradientClipNorm is double clip ? GradientUtils.ClipGradNorm(_parameters, clip) : null;
        Optimizer.Step();
        Optimizer.ZeroGrad();
        ImagesSeen = n + batch;
        using (new NoGradScope())
        {
            foreach (IEmaTracker tracker in _emaTrackers)
            {
                tracker.Update(Network, ImagesSeen, batch);
            }
        }

        double loss = SumOverRanks(lossSum) / batch;
        if (!double.IsFinite(loss)) TrainingLog.NonFiniteLoss(Log, n, loss);
        return new StepResult(loss, lr, norm);
    }

    private readonly record struct StepResult(double Loss, double LearningRate, double? GradientNorm);
}
