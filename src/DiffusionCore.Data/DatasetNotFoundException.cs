namespace DiffusionCore.Data;

/// <summary>
/// A dataset's files or folder are missing. <see cref="Exception.Message"/> names what was looked for, where, and how
/// to get it (for Fashion-MNIST: <c>apt-get install dataset-fashion-mnist</c>).
/// </summary>
public sealed class DatasetNotFoundException : FileNotFoundException
{
    /// <summary>Creates the exception.</summary>
    public DatasetNotFoundException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DatasetNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public DatasetNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a missing file or folder.</summary>
    /// <param name="message">What is missing and how to get it.</param>
    /// <param name="path">The missing path.</param>
    public DatasetNotFoundException(string message, string path)
        : base(message, path)
    {
    }
}
