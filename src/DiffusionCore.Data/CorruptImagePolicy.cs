namespace DiffusionCore.Data;

/// <summary>What <see cref="ImageFolderDataset.Load"/> does with a file that cannot be read or decoded.</summary>
public enum CorruptImagePolicy
{
    /// <summary>Stop with a <see cref="DatasetFormatException"/> naming the file (the default: data problems surface early).</summary>
    Fail = 0,

    /// <summary>Leave the file out and list it in <see cref="ImageFolderDataset.Skipped"/> (and the log, when a logger is given).</summary>
    Skip = 1,
}
