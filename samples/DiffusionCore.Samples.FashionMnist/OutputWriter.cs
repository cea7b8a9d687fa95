using System.Text.Json;
using DiffusionCore.Samples.FashionMnist.Plotting;
using DiffusionCore.Torch;
using DiffusionCore.Data.Imaging;
using DiffusionCore.Data;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>Writes the job's outputs: the class grid, per-class PNGs, the curves plot and the JSON summary.</summary>
internal static class OutputWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void WriteGrid(SampleStage.Samples s, int perClass, string dir)
    {
        Directory.CreateDirectory(dir);
        using var scope = new TensorScope();
        ImageCodec.WritePng(ImageGrid.Tile(s.Images, FashionMnistModel.Classes, perClass), Path.Combine(dir, "grid.png"));
        ImageGrid.WriteIndividual(s.Images, s.Classes, FashionMnistDataset.ClassNames, Path.Combine(dir, "samples"));
    }

    public static void WriteCurves(TrainingHistory history, string dir, ObjectiveKind objective)
    {
        Directory.CreateDirectory(dir);
        TrainingCurves.Save(history.Points, Path.Combine(dir, "curves.png"), objective == ObjectiveKind.Flow ? "flow matching" : "EDM2");
    }

    public static void WriteSummary(object summary, string dir)
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "summary.json");
        File.WriteAllText(path, JsonSerializer.Serialize(summary, Json));
        Console.WriteLine(File.ReadAllText(path));
    }
}
