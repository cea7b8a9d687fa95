namespace DiffusionCore.Data;

/// <summary>
/// A dataset file exists but its contents are not what the reader expects (a wrong IDX magic number, truncated data,
/// an unreadable image, a malformed <c>dataset.json</c>). <see cref="Exception.Message"/> names the file and the fix.
/// </summary>
public sealed class DatasetFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    public DatasetFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DatasetFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public DatasetFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one file.</summary>
    /// <param name="path">The file whose contents are invalid.</param>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public DatasetFormatException(string path, string message, Exception? innerException = null)
        : base($"{path}: {message}", innerException)
    {
        Path = path;
    }

    /// <summary>The file whose contents are invalid, when the error concerns one file.</summary>
    public string? Path { get; }
}
