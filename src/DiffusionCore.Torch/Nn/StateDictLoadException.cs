namespace DiffusionCore.Torch.Nn;

/// <summary>
/// A strict <see cref="Module.LoadStateDict"/> found missing, unexpected or mis-shaped keys. The message lists all of
/// them; <see cref="Result"/> holds them. Nothing was copied into the module.
/// </summary>
public sealed class StateDictLoadException : InvalidOperationException
{
    /// <summary>Creates the exception for a load result.</summary>
    public StateDictLoadException(string moduleName, StateDictLoadResult result)
        : base(BuildMessage(moduleName, result)) => Result = result;

    /// <summary>Creates the exception with a message only.</summary>
    public StateDictLoadException()
        : this("Error loading a state dict.")
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    public StateDictLoadException(string message)
        : base(message) => Result = new StateDictLoadResult([], [], []);

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public StateDictLoadException(string message, Exception innerException)
        : base(message, innerException) => Result = new StateDictLoadResult([], [], []);

    /// <summary>Every key problem found.</summary>
    public StateDictLoadResult Result { get; }

    private static string BuildMessage(string moduleName, StateDictLoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return $"Error(s) in loading state dict for {moduleName} (nothing was loaded; pass strict: false to load the matching keys):" +
               Environment.NewLine + result;
    }
}
