namespace DiffusionCore.Data;

/// <summary>A file <see cref="ImageFolderDataset"/> left out under <see cref="CorruptImagePolicy.Skip"/>.</summary>
/// <param name="Path">The file's full path.</param>
/// <param name="Reason">Why it could not be used (the codec's or the file system's message).</param>
public sealed record SkippedImage(string Path, string Reason);
