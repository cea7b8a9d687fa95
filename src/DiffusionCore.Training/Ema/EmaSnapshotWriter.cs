using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Training.Ema;

/// <summary>
/// Stores every tracked power-function EMA as a snapshot at regular intervals of images seen (Karras et al. 2024, EDM2
/// §3, App. C.3): one safetensors file per tracker and time, named by images seen and σ_rel
/// (<see cref="EmaSnapshotInfo.FileName"/>), holding the network's state dict (parameters in float16 by default) and
/// metadata (images seen, σ_rel, γ, batch). Files are written atomically, so a crash never leaves a partial snapshot.
/// The trainer calls <see cref="WriteIfDue"/> after updating the trackers at each step.
/// </summary>
public sealed class EmaSnapshotWriter
{
    private readonly PowerEmaTracker[] _trackers;

    /// <summary>Creates a writer for a set of trackers.</summary>
    /// <param name="options">Directory, interval and storage dtype.</param>
    /// <param name="trackers">The power EMAs to store (e.g. from <see cref="PowerEmaTracker.CreateSet"/>); the writer does not own them.</param>
    public EmaSnapshotWriter(EmaSnapshotOptions options, IEnumerable<PowerEmaTracker> trackers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(trackers);
        options.Validate();
        _trackers = [.. trackers];
        if (_trackers.Length == 0)
        {
            throw new ArgumentException("Give at least one power-EMA tracker to snapshot.", nameof(trackers));
        }

        string? clash = _trackers.GroupBy(static t => EmaSnapshotInfo.FileName(0, t.SigmaRel)).FirstOrDefault(static g => g.Count() > 1)?.First().Name;
        if (clash is not null)
        {
            throw new ArgumentException($"Two trackers have the same σ_rel to three decimals (one is '{clash}'), so their snapshot files would collide.", nameof(trackers));
        }

        Options = options;
        Schedule = new EmaSnapshotSchedule(options.IntervalImages);
    }

    /// <summary>The settings.</summary>
    public EmaSnapshotOptions Options { get; }

    /// <summary>The schedule derived from <see cref="EmaSnapshotOptions.IntervalImages"/>.</summary>
    public EmaSnapshotSchedule Schedule { get; }

    /// <summary>Writes the snapshots when the step that ended at <paramref name="imagesSeen"/> crosses a multiple of the interval.</summary>
    /// <param name="imagesSeen">Images seen after the step.</param>
    /// <param name="batchImages">Images in the step.</param>
    /// <returns>The files written; empty when no snapshot was due.</returns>
    public IReadOnlyList<string> WriteIfDue(long imagesSeen, long batchImages) =>
        Schedule.IsDue(imagesSeen, batchImages) ? Write(imagesSeen, batchImages) : [];

    /// <summary>Writes a snapshot of every tracker now (e.g. at the end of training), replacing files of the same name.</summary>
    /// <param name="imagesSeen">Images seen after the last update of the trackers.</param>
    /// <param name="batchImages">Images in that step.</param>
    /// <returns>The files written, one per tracker.</returns>
    public IReadOnlyList<string> Write(long imagesSeen, long batchImages)
    {
        EmaArguments.ValidateStep(imagesSeen, batchImages);
        Directory.CreateDirectory(Options.Directory);
        var paths = new List<string>(_trackers.Length);
        foreach (PowerEmaTracker tracker in _trackers)
        {
            string path = Path.Combine(Options.Directory, EmaSnapshotInfo.FileName(imagesSeen, tracker.SigmaRel));
            using (var scope = new TensorScope())
            {
                var bufferKeys = new HashSet<string>(tracker.BufferKeys, StringComparer.Ordinal);
                IEnumerable<KeyValuePair<string, Tensor>> state = tracker.StateDict().Select(kv =>
                    bufferKeys.Contains(kv.Key) ? kv : new KeyValuePair<string, Tensor>(kv.Key, kv.Value.To(Options.StorageDType)));
                SafeTensors.Save(path, state, EmaSnapshotInfo.Metadata(imagesSeen, batchImages, tracker));
            }

            paths.Add(path);
        }

        return paths;
    }
}
