namespace DiffusionCore.Models;

/// <summary>
/// A model file cannot be rebuilt: its description is missing, of another schema version, malformed, of an unknown
/// network family, or its tensors do not match. The message names the file, the problem and the fix.
/// </summary>
public sealed class ModelFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelFileException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ModelFileException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ModelFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
