using System.Globalization;
using System.Text.RegularExpressions;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiffusionCore.Training.Checkpoints;

/// <summary>
/// The training-state files of one run directory: each is ONE safetensors file named by images seen
/// (<c>training-state-000012800.safetensors</c>), written atomically (a hidden temporary file in the same directory,
/// flushed, then renamed over the target by <see cref="SafeTensors.Save"/>), so a crash mid-write leaves the previous
/// files intact and never a partial file under a checkpoint name. Each file stores checksums of its header and of
/// every tensor (<see cref="SafeTensors.ChecksumKey"/>), verified when it is read. The last <see cref="Keep"/> are kept.
/// Loading picks the newest file that reads completely, matches its checksums (files written before checksums existed
/// have none and are read unverified), carries the training-state format tag and passes the caller's check; the others
/// are logged and skipped (EDM2's automatic resume, Karras et al. 2024, reference training loop).
/// </summary>
public sealed partial class CheckpointStore
{
    /// <summary>The file-name prefix.</summary>
    public const string FilePrefix = "training-state-";

    /// <summary>The file-name extension.</summary>
    public const string FileExtension = ".safetensors";

    /// <summary>The metadata key of the format tag.</summary>
    public const string FormatKey = "format";

    /// <summary>The format tag written by this version.</summary>
    public const string FormatVersion = "diffusioncore.training-state/1";

    private readonly ILogger _logger;

    /// <summary>Creates a store over <paramref name="directory"/> (created on the first write).</summary>
    public CheckpointStore(string directory, int keep = 2, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        Directory = Path.GetFullPath(directory);
        Keep = keep;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The run directory.</summary>
    public string Directory { get; }

    /// <summary>How many checkpoints are kept.</summary>
    public int Keep { get; }

    /// <summary>The file name of the checkpoint at <paramref name="imagesSeen"/> images (zero-padded to 9 digits so names sort by time).</summary>
    public static string FileName(long imagesSeen)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(imagesSeen);
        return FilePrefix + imagesSeen.ToString("D9", CultureInfo.InvariantCulture) + FileExtension;
    }

    /// <summary>The checkpoint files present, oldest first (temporary files and other names are ignored).</summary>
    public IReadOnlyList<CheckpointFile> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var files = new List<CheckpointFile>();
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, FilePrefix + "*" + FileExtension))
        {
            Match m = NamePattern().Match(Path.GetFileName(path));
            if (m.Success && long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
            {
                files.Add(new CheckpointFile(path, n));
            }
        }

        return files.OrderBy(static f => f.ImagesSeen).ToArray();
    }

    /// <summary>Writes the checkpoint at <paramref name="imagesSeen"/> atomically, adds the format tag, then deletes all but the newest <see cref="Keep"/>.</summary>
    /// <returns>The path written.</returns>
    public string Write(long imagesSeen, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        System.IO.Directory.CreateDirectory(Directory);
        var meta = new Dictionary<string, string>(metadata, StringComparer.Ordinal) { [FormatKey] = FormatVersion };
        string path = Path.Combine(Directory, FileName(imagesSeen));
        SafeTensors.Save(path, tensors, meta, checksums: true);
        Prune();
        return path;
    }

    /// <summary>
    /// Makes the directory ready for a run, before any training: creates it, checks that files can be written in it
    /// (so a bad <c>RunDirectory</c> fails now, not at the first checkpoint), and deletes the hidden temporary files of
    /// checkpoint writes that never finished (a killed process leaves one per kill). A temporary file that another
    /// writer still holds open (locked) is left alone.
    /// </summary>
    /// <exception cref="IOException">The directory cannot be created or written to; the message names it and the fix.</exception>
    public void PrepareDirectory()
    {
        string probe = Path.Combine(Directory, $".write-probe-{Guid.NewGuid():N}.tmp");
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException(
                $"The run directory '{Directory}' cannot hold checkpoints: {e.Message} Choose a writable directory (RunDirectory) or fix its permissions.", e);
        }

        foreach (string temporary in System.IO.Directory.EnumerateFiles(Directory, "." + FilePrefix + "*" + FileExtension + ".*.tmp"))
        {
            if (TryDeleteUnlocked(temporary)) TrainingLog.StaleTemporaryDeleted(_logger, temporary);
        }
    }

    /// <summary>Deletes a file unless another open handle holds its lock (SafeTensors.Save writes with FileShare.None).</summary>
    private static bool TryDeleteUnlocked(string path)
    {
        try
        {
            using var exclusive = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;  // still being written, or already gone
        }
    }

    /// <summary>
    /// Reads the newest checkpoint that opens, reads completely, matches its checksums, carries the format tag and passes
    /// <paramref name="validate"/>; every newer file that fails is logged as a warning and skipped. Returns null when
    /// there is none.
    /// </summary>
    /// <param name="device">Where the tensors should live.</param>
    /// <param name="validate">
    /// Checks a loaded checkpoint's contents (for example that its metadata parses) and throws
    /// <see cref="CorruptCheckpointException"/> (or another <see cref="IOException"/> or <see cref="InvalidDataException"/>)
    /// to skip it for the previous one; any other exception propagates.
    /// </param>
    public LoadedCheckpoint? LoadLatestValid(Device? device = null, Action<LoadedCheckpoint>? validate = null)
    {
        IReadOnlyList<CheckpointFile> files = List();
        for (int i = files.Count - 1; i >= 0; i--)
        {
            CheckpointFile file = files[i];
            SafeTensorsContents? contents = null;
            try
            {
                contents = SafeTensors.Load(file.Path, device);
                if (!contents.Metadata.TryGetValue(FormatKey, out string? format) || format != FormatVersion)
                {
                    throw new InvalidDataException($"its format tag is '{format ?? "missing"}', not '{FormatVersion}'");
                }

                var loaded = new LoadedCheckpoint(file, contents);
                validate?.Invoke(loaded);
                return loaded;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or SafeTensorsFormatException or UnauthorizedAccessException or TorchException)
            {
                contents?.Dispose();
                TrainingLog.CheckpointSkipped(_logger, file.Path, e.Message);
            }
            catch
            {
                contents?.Dispose();
                throw;
            }
        }

        return null;
    }

    private void Prune()
    {
        IReadOnlyList<CheckpointFile> files = List();
        for (int i = 0; i < files.Count - Keep; i++)
        {
            try
            {
                File.Delete(files[i].Path);
                TrainingLog.CheckpointDeleted(_logger, files[i].Path);
            }
            catch (IOException)
            {
                // Best effort: a file that cannot be deleted now is deleted after a later write.
            }
        }
    }

    [GeneratedRegex(@"^training-state-(\d+)\.safetensors$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
