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
        ImageGrid.WritePng(s.Images, Path.Combine(dir, "grid.png"), columns: perClass);   // one row per class
        WriteIndividual(s.Images, s.Classes, FashionMnistDataset.ClassNames, Path.Combine(dir, "samples"));
    }

    /// <summary>Writes each image as <c>{dir}/{class name}/{index:0000}.png</c>, with a dataset.json of their classes.</summary>
    private static void WriteIndividual(Tensor images, int[] classes, IReadOnlyList<string> classNames, string dir)
    {
        using var scope = new TensorScope();
        Tensor u8 = ImagePixels.FromSignedUnit(images);
        var counters = new int[classNames.Count];
        var labels = new List<object[]>();
        for (int i = 0; i < classes.Length; i++)
        {
            string name = classNames[classes[i]].Replace('/', '-').Replace(' ', '-').ToLowerInvariant();
            string folder = Path.Combine(dir, name);
            Directory.CreateDirectory(folder);
            string file = $"{counters[classes[i]]++:0000}.png";
            ImageCodec.WritePng(u8[i], Path.Combine(folder, file));
            labels.Add([$"{name}/{file}", classes[i]]);
        }

        // The EDM dataset convention, so the folder can be evaluated (or trained on) with its classes.
        File.WriteAllText(Path.Combine(dir, "dataset.json"), JsonSerializer.Serialize(new { labels }));
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
