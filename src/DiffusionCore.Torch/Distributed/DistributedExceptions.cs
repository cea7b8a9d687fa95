namespace DiffusionCore.Torch.Distributed;

/// <summary>
/// A collective or rendezvous of a <see cref="ProcessGroup"/> failed: a peer process exited, a connection broke or a
/// peer could not be reached. The message names the rank, the operation and what to do. After a failure while
/// communicating, the group refuses every further call with this exception (the ranks can no longer agree on the order of
/// collectives): stop every rank and restart the job.
/// </summary>
public class DistributedException : TorchException
{
    /// <summary>Creates the exception.</summary>
    public DistributedException(string message)
        : base(TorchErrorKind.Distributed, message)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public DistributedException()
        : this("A distributed collective failed.")
    {
    }

    /// <summary>Creates the exception with an inner exception.</summary>
    public DistributedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception of a more specific kind.</summary>
    protected DistributedException(TorchErrorKind kind, string message)
        : base(kind, message)
    {
    }
}

/// <summary>
/// A rendezvous or collective did not complete within <see cref="ProcessGroupOptions.Timeout"/>: a peer is stuck, has
/// exited without closing its connections, never started, or is running a different collective.
/// </summary>
public sealed class DistributedTimeoutException(string message) : DistributedException(TorchErrorKind.DistributedTimeout, message);

/// <summary>
/// The ranks called a collective with different tensors (count, dtype or shape), another root or another operation.
/// Raised on every rank of the call; the message names the ranks that differ from rank 0 and what this rank passed.
/// </summary>
public sealed class DistributedMismatchException(string message) : DistributedException(TorchErrorKind.DistributedMismatch, message);

/// <summary>
/// The launch variables (<c>RANK</c>, <c>WORLD_SIZE</c>, <c>MASTER_ADDR</c>, …) are missing, malformed or contradict each
/// other; the message names the variable and the value expected.
/// </summary>
public sealed class DistributedEnvironmentException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public DistributedEnvironmentException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public DistributedEnvironmentException()
        : this("The distributed launch variables are invalid.")
    {
    }

    /// <summary>Creates the exception with an inner exception.</summary>
    public DistributedEnvironmentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
