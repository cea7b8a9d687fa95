namespace DiffusionCore.Torch.Serialization;

/// <summary>
/// A file is not a valid safetensors file: truncated, a bad header length, a header that is not the JSON the
/// specification requires, an unknown dtype, or tensor byte ranges that do not match the shapes or the data section.
/// The message names the file, the tensor (when one is to blame) and what is wrong.
/// </summary>
public sealed class SafeTensorsFormatException : FormatException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public SafeTensorsFormatException()
        : base("Invalid safetensors file.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public SafeTensorsFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that revealed the problem.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The underlying error, for example a JSON parse error.</param>
    public SafeTensorsFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a problem in a file, optionally in one tensor of it.</summary>
    /// <param name="filePath">The file that is invalid.</param>
    /// <param name="tensorName">The tensor whose header entry or data is invalid, or null when the whole file is to blame.</param>
    /// <param name="problem">What is wrong, in words.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public SafeTensorsFormatException(string filePath, string? tensorName, string problem, Exception? innerException = null)
        : base(Compose(filePath, tensorName, problem), innerException)
    {
        FilePath = filePath;
        TensorName = tensorName;
        Problem = problem;
    }

    /// <summary>The file that is invalid, when known.</summary>
    public string? FilePath { get; }

    /// <summary>The tensor whose entry or data is invalid, or null when the problem concerns the whole file.</summary>
    public string? TensorName { get; }

    /// <summary>What is wrong, without the file and tensor names; null when only a message was given.</summary>
    public string? Problem { get; }

    private static string Compose(string filePath, string? tensorName, string problem) =>
        tensorName is null
            ? $"Invalid safetensors file '{filePath}': {problem}"
            : $"Invalid safetensors file '{filePath}': tensor '{tensorName}': {problem}";
}
