using DiffusionCore.Data;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Training.Masking;

namespace DiffusionCore.Training;

public partial class DiffusionTrainer
{
    private IKeptTokenNetwork? _maskedNetwork;

    /// <summary>Whether the step that starts at <paramref name="imagesSeen"/> is a masked pre-training step (<see cref="TrainingOptions.MaskedPretraining"/>).</summary>
    public bool IsMaskedStep(long imagesSeen) => _options.MaskedPretraining is { } m && imagesSeen < m.PretrainImages;

    /// <summary>Checks that the network can run on kept tokens and the masks fit its token grid.</summary>
    private void InitializeMasking(Module network)
    {
        if (_options.MaskedPretraining is not { } masked || masked.PretrainImages == 0) return;
        _maskedNetwork = network as IKeptTokenNetwork ?? throw new ArgumentException(
            $"MaskedPretraining needs a network with a kept-token forward pass (IKeptTokenNetwork: DiffusionTransformer, UViTNetwork); " +
            $"{network.GetType().Name} is not one. Train it without MaskedPretraining, or pass the transformer itself as the network.", nameof(network));
        masked.Mask.Validate(_maskedNetwork.GridSize);
    }

    /// <summary>
    /// At the first step at or after the end of masked pre-training, replaces the optimizer by a fresh one (MaskDM's
    /// fine-tuning stage, Lei et al. 2023, §3). A pure function of images seen, so a resumed run switches where an
    /// uninterrupted one does (with the same batch size).
    /// </summary>
    private void BeginStep(long imagesSeen)
    {
        if (_options.MaskedPretraining is not { PretrainImages: > 0 } m) return;
        if (imagesSeen < m.PretrainImages || imagesSeen - _options.BatchSize >= m.PretrainImages) return;
        Optimizer.Dispose();
        Optimizer = CreateOptimizer(_parameters, _options);
        TrainingLog.FineTuningStarted(_logger, imagesSeen);
    }

    /// <summary>Whether masked pre-training ended between <paramref name="before"/> and <paramref name="after"/> images seen (a checkpoint is written then).</summary>
    private bool PretrainingEnded(long before, long after) =>
        _options.MaskedPretraining is { PretrainImages: > 0 } m && before < m.PretrainImages && after >= m.PretrainImages;

    /// <summary>
    /// The conditioning and element mask of one accumulation round: in a masked step, kept tokens drawn from the step's
    /// <see cref="TrainingStep.Mask"/> stream go into the conditioning (<see cref="MaskedTokenNetwork.KeptTokensKey"/>) and
    /// the mask counts the pixels of the kept patches only; otherwise <see cref="CreateMask"/>.
    /// </summary>
    private (Conditioning Conditioning, Tensor? Mask) RoundMasking(TrainingStep step, ImageBatch batch, Conditioning conditioning, long imagesSeen)
    {
        if (!IsMaskedStep(imagesSeen) || _maskedNetwork is null) return (conditioning, CreateMask(step, batch));
        int size = (int)batch.Images.Size(0);
        Tensor kept = TokenMasks.Draw(_options.MaskedPretraining!.Mask, size, _maskedNetwork.GridSize, step.Mask, _device);
        Tensor mask = TokenMasks.ElementMask(kept, _maskedNetwork.GridSize, _maskedNetwork.PatchSize);
        return (conditioning.With(MaskedTokenNetwork.KeptTokensKey, kept), mask);
    }
}
