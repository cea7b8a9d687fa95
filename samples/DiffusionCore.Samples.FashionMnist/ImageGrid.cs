using DiffusionCore.Torch;
using DiffusionCore.Data.Imaging;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>Writes generated images as PNG files: a grid with one row per class, and one file per image.</summary>
internal static class ImageGrid
{
    /// <summary>Tiles images [rows·cols, C, H, W] in [−1, 1] into one uint8 image [C, rows·(H+pad)+pad, cols·(W+pad)+pad].</summary>
    public static Tensor Tile(Tensor images, int rows, int cols, int pad = 2)
    {
        using var scope = new TensorScope();
        long c = images.Size(1), h = images.Size(2), w = images.Size(3);
        Tensor u8 = ImagePixels.FromSignedUnit(images);                              // [N, C, H, W] uint8
        Tensor padded = Torch.Nn.Functional.Pad(u8.To(DType.Float32), [pad, 0, pad, 0], value: 255).To(DType.UInt8);
        Tensor grid = padded.Reshape(rows, cols, c, h + pad, w + pad).Permute(2, 0, 3, 1, 4).Reshape(c, rows * (h + pad), cols * (w + pad));
        Tensor framed = Torch.Nn.Functional.Pad(grid.To(DType.Float32), [0, pad, 0, pad], value: 255).To(DType.UInt8);
        return framed.Contiguous().MoveToOuterScope();
    }

    /// <summary>Writes each image as <c>{dir}/{class name}/{index:0000}.png</c>.</summary>
    public static void WriteIndividual(Tensor images, IReadOnlyList<int> classes, IReadOnlyList<string> classNames, string dir)
    {
        using var scope = new TensorScope();
        Tensor u8 = ImagePixels.FromSignedUnit(images);
        var counters = new int[classNames.Count];
        var labels = new List<object[]>();
        for (int i = 0; i < classes.Count; i++)
        {
            string name = classNames[classes[i]].Replace('/', '-').Replace(' ', '-').ToLowerInvariant();
            string folder = Path.Combine(dir, name);
            Directory.CreateDirectory(folder);
            string file = $"{counters[classes[i]]++:0000}.png";
            ImageCodec.WritePng(u8[i], Path.Combine(folder, file));
            labels.Add([$"{name}/{file}", classes[i]]);
        }

        // The EDM dataset convention, so the folder can be evaluated (or trained on) with its classes.
        File.WriteAllText(Path.Combine(dir, "dataset.json"), System.Text.Json.JsonSerializer.Serialize(new { labels }));
    }
}
