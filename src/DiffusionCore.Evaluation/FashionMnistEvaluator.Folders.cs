using DiffusionCore.Data;

namespace DiffusionCore.Evaluation;

public sealed partial class FashionMnistEvaluator
{
    /// <summary>
    /// FD-FMNIST and class agreement of a folder of PNG/JPEG images (searched recursively; read as grey with
    /// <see cref="ImageFolderDataset"/>). When the folder holds an EDM-style <c>dataset.json</c> with labels, they are
    /// taken as the requested classes and class agreement is reported; otherwise it is null.
    /// </summary>
    /// <param name="folder">The folder of generated images.</param>
    /// <param name="resolution">The side length the images were saved at (32 for a model trained on the padded
    /// dataset, 28 for the native size); pictures of another size are resized to it, which changes their statistics.</param>
    /// <exception cref="DatasetNotFoundException">The folder does not exist or holds no image.</exception>
    /// <exception cref="DatasetFormatException">An image or <c>dataset.json</c> is corrupt.</exception>
    public EvaluationResult EvaluateFolder(string folder, int resolution = 32)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentOutOfRangeException.ThrowIfLessThan(resolution, FashionMnistImages.Size);
        ImageFolderDataset images = ImageFolderDataset.Load(new ImageFolderOptions { Root = folder, Resolution = resolution, Channels = 1 });
        return Evaluate(images);
    }
}
