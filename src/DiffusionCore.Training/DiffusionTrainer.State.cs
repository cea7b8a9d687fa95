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
    private const string SeedScheme = "splitmix64(seed, images_seen, stream)/1";

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

        tensors[TrainingStateKeys.Rng + "noise"] = Tensor.FromArray(_noiseGenerator.GetState());
        tensors[TrainingStateKeys.Rng + "dropout"] = Tensor.FromArray(_dropoutGenerator.GetState());
        metadata[TrainingStateKeys.ImagesSeen] = ImagesSeen.ToString(CultureInfo.InvariantCulture);
        metadata[TrainingStateKeys.Seed] = _options.Seed.ToString(CultureInfo.InvariantCulture);
        metadata[TrainingStateKeys.SeedScheme] = SeedScheme;
        metadata[TrainingStateKeys.Options] = JsonSerializer.Serialize(_options, JsonOptions);
        metadata[TrainingStateKeys.EmaNames] = string.Join(",", _emaTrackers.Select(t => t.Name));
        metadata[TrainingStateKeys.IntraOpThreads] = TorchLib.NumThreads.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The scalar state of a checkpoint, read and checked before anything of the trainer changes.</summary>
    private sealed record SavedState(long ImagesSeen, byte[]? NoiseRng, byte[]? DropoutRng, int? IntraOpThreads);

    /// <summary>
    /// Reads and checks a loaded checkpoint's metadata and generator states without changing the trainer: a value that
    /// does not parse or is out of range, or a generator state libtorch rejects, is a <see cref="CorruptCheckpointException"/>
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

        return new SavedState(images, GeneratorState(tensors, "noise", file), GeneratorState(tensors, "dropout", file), threads);
    }

    /// <summary>A stored generator state, checked by restoring it into a scratch generator on the trainer's device.</summary>
    private byte[]? GeneratorState(IReadOnlyDictionary<string, Tensor> tensors, string name, string file)
    {
        string key = TrainingStateKeys.Rng + name;
        if (!tensors.TryGetValue(key, out Tensor? tensor)) return null;
        if (tensor.DType != DType.UInt8 || tensor.Dim != 1)
        {
            throw new CorruptCheckpointException(file, $"its generator state '{key}' is {tensor}, not a uint8 vector");
        }

        byte[] state = tensor.ToArray<byte>();
        try
        {
            using var scratch = new Generator(0, _device);
            scratch.SetState(state);
        }
        catch (TorchException e)
        {
            throw new CorruptCheckpointException(file, $"libtorch rejects its generator state '{key}' ({e.Message})", e);
        }

        return state;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>Applies a checkpoint whose scalar state <see cref="ReadState"/> has read and checked.</summary>
    private void RestoreState(LoadedCheckpoint checkpoint, SavedState saved)
    {
        IReadOnlyDictionary<string, Tensor> tensors = checkpoint.Contents.Tensors;
        IReadOnlyDictionary<string, string> metadata = checkpoint.Contents.Metadata;
        string optionsJson = JsonSerializer.Serialize(_options, JsonOptions);
        if (metadata.TryGetValue(TrainingStateKeys.Options, out string? savedOptions) && savedOptions != optionsJson)
        {
            TrainingLog.OptionsChanged(_logger, savedOptions);
        }

        int threads = TorchLib.NumThreads;
        if (saved.IntraOpThreads is int savedThreads && savedThreads != threads)
        {
            TrainingLog.ThreadCountChanged(_logger, checkpoint.File.Path, savedThreads, threads);
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

        if (saved.NoiseRng is { } noise) _noiseGenerator.SetState(noise);
        if (saved.DropoutRng is { } dropout) _dropoutGenerator.SetState(dropout);
        ImagesSeen = saved.ImagesSeen;
    }
}
