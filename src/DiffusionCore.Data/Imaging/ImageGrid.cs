using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Data.Imaging;

/// <summary>
/// Tiles a batch of images into one grid image and writes it as PNG: image k goes to row k / columns, column
/// k mod columns, each cell framed by <c>padding</c> pixels of the background; cells after the last image stay
/// background. Float images are taken in [−1, 1] (<see cref="ImagePixels.FromSignedUnit"/>), uint8 images as pixels.
/// </summary>
public static class ImageGrid
{
    /// <summary>The background value of padding and empty cells (white).</summary>
    public const byte Background = 255;

    /// <summary>Tiles images <c>[N, C, H, W]</c> into one uint8 image <c>[C, rows·(H+p)+p, columns·(W+p)+p]</c>, rows = ⌈N / columns⌉.</summary>
    /// <param name="images">float images in [−1, 1] or uint8 pixels, <c>[N, C, H, W]</c>, N ≥ 1.</param>
    /// <param name="columns">Images per row (≥ 1); fewer when N is smaller.</param>
    /// <param name="padding">Background pixels around every cell (≥ 0).</param>
    /// <returns>The grid, uint8, contiguous; the caller's scope owns it.</returns>
    /// <exception cref="ArgumentException">The images are not <c>[N, C, H, W]</c> with N ≥ 1, or columns/padding are out of range.</exception>
    public static Tensor Tile(Tensor images, int columns, int padding = 2)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (images.Dim != 4 || images.Size(0) < 1)
        {
            throw new ArgumentException($"An image grid takes a batch [N, C, H, W] with N ≥ 1; got [{string.Join(", ", images.Shape)}].", nameof(images));
        }

        using var scope = new TensorScope();
        long n = images.Size(0), c = images.Size(1), h = images.Size(2), w = images.Size(3);
        long cols = Math.Min(columns, n);
        long rows = (n + cols - 1) / cols;
        Tensor pixels = images.DType == DType.UInt8 ? images : ImagePixels.FromSignedUnit(images);
        if (rows * cols > n)
        {
            pixels = Tensor.Cat([pixels, Tensor.Full([(rows * cols) - n, c, h, w], Background, DType.UInt8, pixels.Device)]);
        }

        Tensor cells = Functional.Pad(pixels.To(DType.Float32), [padding, 0, padding, 0], value: Background);
        Tensor grid = cells.Reshape(rows, cols, c, h + padding, w + padding).Permute(2, 0, 3, 1, 4).Reshape(c, rows * (h + padding), cols * (w + padding));
        Tensor framed = Functional.Pad(grid, [0, padding, 0, padding], value: Background);
        return framed.To(DType.UInt8).Contiguous().MoveToOuterScope();
    }

    /// <summary>Tiles the images (<see cref="Tile"/>) and writes the grid as a PNG file.</summary>
    /// <param name="images">float images in [−1, 1] or uint8 pixels, <c>[N, C, H, W]</c>, C = 1, 3 or 4.</param>
    /// <param name="path">The PNG file to write (its directory is created).</param>
    /// <param name="columns">Images per row.</param>
    /// <param name="padding">Background pixels around every cell.</param>
    public static void WritePng(Tensor images, string path, int columns, int padding = 2)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var scope = new TensorScope();
        Tensor grid = Tile(images, columns, padding);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        ImageCodec.WritePng(grid, path);
    }
}
