using System.Text.Json;
using System.Text.Json.Serialization;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Schedules;

namespace DiffusionCore.ControlStudy;

/// <summary>One training stage of a run: images before and after, the training loop's CPU and wall seconds, the host's load.</summary>
internal sealed record TransferStage(int Resolution, long ImagesFrom, long ImagesTo, double CpuSeconds, double WallSeconds, string LoadAverage);

/// <summary>Where a 32² run started: the 16² run, its CPU seconds and images at that moment, the resampling and the shift.</summary>
internal sealed record TransferSource(string Run, double CpuSeconds, long Images, PositionEmbeddingResampling Resampling, double Shift);

/// <summary>
/// The study's bookkeeping in each run directory: <c>stages.json</c> (every training stage) and, for a transferred run,
/// <c>transfer.json</c>, so that an arm's budget is its own training CPU seconds plus its source's at the transfer.
/// </summary>
internal static class TransferLedger
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public static IReadOnlyList<TransferStage> Stages(string run)
    {
        string path = Path.Combine(run, "stages.json");
        return File.Exists(path) ? JsonSerializer.Deserialize<List<TransferStage>>(File.ReadAllText(path), Json)! : [];
    }

    public static double TrainingCpuSeconds(string run) => Stages(run).Sum(s => s.CpuSeconds);

    public static long Images(string run) => Stages(run).Select(s => s.ImagesTo).DefaultIfEmpty(0).Max();

    public static void RecordStage(string run, int resolution, long from, long to, double cpu, double wall)
    {
        var stages = Stages(run).Append(new TransferStage(resolution, from, to, cpu, wall, LoadAverage())).ToList();
        File.WriteAllText(Path.Combine(run, "stages.json"), JsonSerializer.Serialize(stages, Json));
    }

    public static TransferSource? Source(string run)
    {
        string path = Path.Combine(run, "transfer.json");
        return File.Exists(path) ? JsonSerializer.Deserialize<TransferSource>(File.ReadAllText(path), Json) : null;
    }

    public static void RecordTransfer(string run, string from, PositionEmbeddingResampling resampling, bool shift)
    {
        double s = shift ? ResolutionShift.ForResolution(TransferModel.LowResolution, TransferModel.LowResolution, TransferModel.HighResolution, TransferModel.HighResolution) : 1;
        var source = new TransferSource(from, TrainingCpuSeconds(from), Images(from), resampling, s);
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "transfer.json"), JsonSerializer.Serialize(source, Json));
    }

    /// <summary>The noise-level shift s of a run: 1 from scratch, the recorded one after a transfer.</summary>
    public static double Shift(string run) => Source(run)?.Shift ?? 1;

    /// <summary>The arm's budget: the run's training CPU seconds plus its source's at the transfer.</summary>
    public static double BudgetCpuSeconds(string run) => TrainingCpuSeconds(run) + (Source(run)?.CpuSeconds ?? 0);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
