namespace DiffusionCore.Merge;

/// <summary>
/// Two state dicts to combine do not hold the same tensors: a key is missing or extra, or has another shape or dtype.
/// The message names the sources and the keys (up to ten), and <see cref="Key"/> the first one.
/// </summary>
public sealed class StateDictMismatchException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public StateDictMismatchException()
        : this("The state dicts do not hold the same tensors.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StateDictMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public StateDictMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for the first mismatched key.</summary>
    /// <param name="message">The message.</param>
    /// <param name="key">The first mismatched key.</param>
    /// <param name="sourceName">The source that differs from the first one.</param>
    public StateDictMismatchException(string message, string key, string sourceName)
        : base(message)
    {
        Key = key;
        SourceName = sourceName;
    }

    /// <summary>The first key that does not match, or null.</summary>
    public string? Key { get; }

    /// <summary>The name of the source that differs from the first source, or null.</summary>
    public string? SourceName { get; }
}
