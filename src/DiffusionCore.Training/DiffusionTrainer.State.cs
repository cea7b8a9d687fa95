using System.Globalization;
using System.Text.Json;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Optim;
using DiffusionCore.Training.Checkpoints;
using DiffusionCore.Training.Ema;

namespace DiffusionCore.Training;

public partial class DiffusionTrainer
{
    /// <summary>
    /// The derivation of the per-step generators (<see cref="TrainingStep"/>). /2: σ has its own stream (5), label
    /// dropout its own (6), augmentation its own (7); /1 drew σ from the noise stream and kept generator states.
    /// </summary>
    private const string SeedScheme = "splitmix64(seed, images_seen, stream)/2";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    private void CaptureState(Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata)
    {
        PrefixedEntries.AddPrefixed(tensors, Network.StateDict(), TrainingStateKeys.Network);
        OptimizerState optimizer = Optimizer.StateDict();
        PrefixedEntries.AddPrefixed(tensors, optimizer.Tensors, TrainingStateKeys.Optimizer);
        PrefixedEntries.AddPrefixed(metadata, optimizer.Metadata, TrainingStateKeys.Optimizer);
        foreach (IEmaTracker tracker in _emaTrackers)
        {
            tracker.SaveState(tensors, metadata, TrainingStateKeys.EmaPrefix(tracker.Name));
        }

        metadata[TrainingStateKeys.ImagesSeen] = ImagesSeen.ToString(CultureInfo.InvariantCulture);
        metadata[TrainingStateKeys.Seed] = _options.Seed.ToString(CultureInfo.InvariantCulture);
        metadata[TrainingStateKeys.SeedScheme] = SeedScheme;
        metadata[TrainingStateKeys.Options] = JsonSerializer.Serialize(_options, JsonOptions);
        metadata[TrainingStateKeys.EmaNames] = string.Join(",", _emaTrackers.Select(t => t.Name));
    }

    private void RestoreState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        string Require(string key) => metadata.TryGetValue(key, out string? v)
            ? v
            : throw new InvalidDataException($"The checkpoint has no '{key}' metadata entry; it was not written by DiffusionTrainer.");

        long images = long.Parse(Require(TrainingStateKeys.ImagesSeen), NumberStyles.None, CultureInfo.InvariantCulture);
        long seed = long.Parse(Require(TrainingStateKeys.Seed), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (seed != _options.Seed)
        {
            throw new InvalidOperationException(
                $"The checkpoint in '{Checkpoints.Directory}' was trained with seed {seed} but the options say {_options.Seed}; " +
                "resume with the same seed or start the run in an empty directory.");
        }

        string savedNames = Require(TrainingStateKeys.EmaNames);
        string names = string.Join(",", _emaTrackers.Select(t => t.Name));
        if (savedNames != names)
        {
            throw new InvalidOperationException($"The checkpoint holds EMA trackers [{savedNames}] but this trainer has [{names}]; give the same trackers to resume.");
        }

        if (metadata.TryGetValue(TrainingStateKeys.SeedScheme, out string? scheme) && scheme != SeedScheme)
        {
            TrainingLog.SeedSchemeChanged(_logger, scheme, SeedScheme);
        }

        string optionsJson = JsonSerializer.Serialize(_options, JsonOptions);
        if (metadata.TryGetValue(TrainingStateKeys.Options, out string? savedOptions) && savedOptions != optionsJson)
        {
            TrainingLog.OptionsChanged(_logger, savedOptions);
        }

        Network.LoadStateDict(PrefixedEntries.Strip(tensors, TrainingStateKeys.Network));
        var optimizerState = new OptimizerState(
            PrefixedEntries.Strip(tensors, TrainingStateKeys.Optimizer),
            PrefixedEntries.Strip(metadata, TrainingStateKeys.Optimizer));
        Optimizer.LoadStateDict(optimizerState);
        foreach (IEmaTracker tracker in _emaTrackers)
        {
            tracker.LoadState(tensors, metadata, TrainingStateKeys.EmaPrefix(tracker.Name));
        }

        ImagesSeen = images;
    }
}
