using System.Globalization;
using System.Text.Json;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Optim;
using DiffusionCore.Training.Checkpoints;
using DiffusionCore.Training.Ema;
using TorchLib = DiffusionCore.Torch.Torch;

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
        metadata[TrainingStateKeys.IntraOpThreads] = TorchLib.NumThreads.ToString(CultureInfo.InvariantCulture);
        metadata[TrainingStateKeys.WorldSize] = WorldSize.ToString(CultureInfo.InvariantCulture);
        if (_description is not null) metadata[Models.ModelDescription.MetadataKey] = _description;
    }

    /// <summary>The scalar state of a checkpoint, read and checked before anything of the trainer changes.</summary>
    private sealed record SavedState(long ImagesSeen, int? IntraOpThreads);

    /// <summary>
    /// Reads and checks a loaded checkpoint's metadata without changing the trainer: a value that
    /// does not parse or is out of range is a <see cref="CorruptCheckpointException"/>
    /// naming the file (so <see cref="CheckpointStore.LoadLatestValid"/> falls back to the previous checkpoint); a seed or
    /// EMA trackers other than this trainer's are the caller's mistake (<see cref="InvalidOperationException"/>).
    /// </summary>
    private SavedState ReadState(LoadedCheckpoint checkpoint)
    {
        string file = checkpoint.File.Path;
        IReadOnlyDictionary<string, string> metadata = checkpoint.Contents.Metadata;
        IReadOnlyDictionary<string, Tensor> tensors = checkpoint.Contents.Tensors;
        string Require(string key) => metadata.TryGetValue(key, out string? v)
            ? v
            : throw new CorruptCheckpointException(file, $"it has no '{key}' metadata entry; it was not written by DiffusionTrainer");

        long ParseLong(string key, NumberStyles styles, long min)
        {
            string text = Require(key);
            return long.TryParse(text, styles, CultureInfo.InvariantCulture, out long value) && value >= min
                ? value
                : throw new CorruptCheckpointException(file, $"its '{key}' metadata entry is '{Shorten(text)}', not an integer of at least {min} that fits in 64 bits");
        }

        long images = ParseLong(TrainingStateKeys.ImagesSeen, NumberStyles.None, 0);
        long seed = ParseLong(TrainingStateKeys.Seed, NumberStyles.AllowLeadingSign, long.MinValue);
        if (seed != _options.Seed)
        {
            throw new InvalidOperationException(
                $"The checkpoint '{file}' was trained with seed {seed} but the options say {_options.Seed}; " +
                "resume with the same seed or start the run in an empty directory.");
        }

        string savedNames = Require(TrainingStateKeys.EmaNames);
        string names = string.Join(",", _emaTrackers.Select(t => t.Name));
        if (savedNames != names)
        {
            throw new InvalidOperationException($"The checkpoint '{file}' holds EMA trackers [{savedNames}] but this trainer has [{names}]; give the same trackers to resume.");
        }

        int? threads = null;
        if (metadata.ContainsKey(TrainingStateKeys.IntraOpThreads))
        {
            threads = (int)Math.Min(int.MaxValue, ParseLong(TrainingStateKeys.IntraOpThreads, NumberStyles.None, 1));
        }

        return new SavedState(images, threads);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>Applies a checkpoint whose scalar state <see cref="ReadState"/> has read and checked.</summary>
    private void RestoreState(LoadedCheckpoint checkpoint, SavedState saved)
    {
        IReadOnlyDictionary<string, Tensor> tensors = checkpoint.Contents.Tensors;
        IReadOnlyDictionary<string, string> metadata = checkpoint.Contents.Metadata;
        if (metadata.TryGetValue(TrainingStateKeys.SeedScheme, out string? scheme) && scheme != SeedScheme)
        {
            TrainingLog.SeedSchemeChanged(Log, scheme, SeedScheme);
        }

        string optionsJson = JsonSerializer.Serialize(_options, JsonOptions);
        if (metadata.TryGetValue(TrainingStateKeys.Options, out string? savedOptions) && savedOptions != optionsJson)
        {
            TrainingLog.OptionsChanged(Log, savedOptions);
        }

        int threads = TorchLib.NumThreads;
        if (saved.IntraOpThreads is int savedThreads && savedThreads != threads)
        {
            TrainingLog.ThreadCountChanged(Log, checkpoint.File.Path, savedThreads, threads);
        }

        if (metadata.TryGetValue(TrainingStateKeys.WorldSize, out string? savedWorld) && savedWorld != WorldSize.ToString(CultureInfo.InvariantCulture))
        {
            TrainingLog.WorldSizeChanged(Log, savedWorld, WorldSize);
        }

        ApplyState(tensors, metadata, saved);
    }

    /// <summary>Loads network, optimizer, EMA trackers and images seen from checked state.</summary>
    private void ApplyState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata, SavedState saved)
    {
        Network.LoadStateDict(PrefixedEntries.Strip(tensors, TrainingStateKeys.Network));
        var optimizerState = new OptimizerState(
            PrefixedEntries.Strip(tensors, TrainingStateKeys.Optimizer),
            PrefixedEntries.Strip(metadata, TrainingStateKeys.Optimizer));
        Optimizer.LoadStateDict(optimizerState);
        foreach (IEmaTracker tracker in _emaTrackers)
        {
            tracker.LoadState(tensors, metadata, TrainingStateKeys.EmaPrefix(tracker.Name));
        }

        ImagesSeen = saved.ImagesSeen;
    }
}
