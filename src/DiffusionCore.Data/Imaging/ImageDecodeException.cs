namespace DiffusionCore.Data.Imaging;

/// <summary>
/// Image bytes could not be decoded: not a PNG or JPEG, truncated, structurally corrupt, or more than 1 GiB of pixels.
/// The message carries the decoder's reason and, when decoding a file, its path.
/// </summary>
public sealed class ImageDecodeException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ImageDecodeException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ImageDecodeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public ImageDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one file.</summary>
    /// <param name="path">The file that could not be decoded.</param>
    /// <param name="message">The reason.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ImageDecodeException(string path, string message, Exception? innerException)
        : base($"{path}: {message}", innerException)
    {
        Path = path;
    }

    /// <summary>The file that could not be decoded, when known.</summary>
    public string? Path { get; }

    /// <summary>The codec's reason without the path prefix.</summary>
    public string Reason => Path is null ? Message : Message[(Path.Length + 2)..];
}
