using DiffusionCore.Data;
using DiffusionCore.Labels;
using DiffusionCore.Models;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Training;

public partial class DiffusionTrainer
{
    /// <summary>
    /// The label format the trainer writes: the network's declared one (<see cref="IClassConditioned"/>), else
    /// <see cref="TrainingOptions.LabelFormat"/>, else indices. Refuses a dataset whose class count or an explicit format
    /// that contradicts the network's, and index-label dropout into a network without a null label, so label dropout
    /// (Ho &amp; Salimans 2022, §3.2) cannot be mis-wired.
    /// </summary>
    private static ClassLabelFormat ResolveLabelFormat(Module network, IImageDataset dataset, TrainingOptions options)
    {
        ClassLabelSpec? spec = (network as IClassConditioned)?.ClassLabelSpec;
        if (spec is null || dataset.LabelCount == 0) return options.LabelFormat ?? ClassLabelFormat.Indices;
        if (dataset.LabelCount != spec.ClassCount)
        {
            throw new ArgumentException(
                $"The dataset has {dataset.LabelCount} classes but the network takes {spec.ClassCount}: build the network with the dataset's class count.",
                nameof(dataset));
        }

        if (options.LabelFormat is { } format && format != spec.Format)
        {
            throw new ArgumentException(
                $"LabelFormat is {format} but {network.GetType().Name} takes {spec.Format} class labels; leave LabelFormat null (the network's format) or set {spec.Format}.",
                nameof(options));
        }

        if (options.LabelDropout > 0 && !spec.HasUnconditional)
        {
            throw new ArgumentException(
                $"LabelDropout is {options.LabelDropout}, but {network.GetType().Name} has no null label to drop to (its {spec.ClassCount}-class table has no extra row). " +
                "Build it with a null label (DiT: UnconditionalRow = true, ClassDropoutProbability = 0), or set LabelDropout to 0.", nameof(options));
        }

        return spec.Format;
    }

    /// <summary>The JSON description written into every checkpoint (<see cref="ModelDescription.MetadataKey"/>), or null when the network does not describe itself.</summary>
    private string? DescribeNetwork()
    {
        if (Network is not IDescribedModel described) return null;
        try
        {
            return described.Describe().ToJson();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            TrainingLog.NotSelfDescribing(_logger, e.Message);
            return null;
        }
    }
}
