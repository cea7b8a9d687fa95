namespace DiffusionCore.Torch;

/// <summary>The kind of failure libtorch reported through the shim (mirrors <c>dc_error_kind</c>).</summary>
public enum TorchErrorKind
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>An error libtorch did not classify further.</summary>
    Generic = 1,

    /// <summary>An invalid argument value (<c>c10::ValueError</c> and generic argument checks).</summary>
    Value = 2,

    /// <summary>A dtype mismatch or unsupported dtype (<c>c10::TypeError</c>).</summary>
    Type = 3,

    /// <summary>An index out of range (<c>c10::IndexError</c>).</summary>
    Index = 4,

    /// <summary>An operation without a kernel for the given dtype or device (<c>c10::NotImplementedError</c>).</summary>
    NotImplemented = 5,

    /// <summary>An allocation failed (<c>c10::OutOfMemoryError</c>, <c>std::bad_alloc</c>).</summary>
    OutOfMemory = 6,

    /// <summary>Tensor shapes do not fit the operation (sizes, broadcasting, channels).</summary>
    Shape = 7,

    /// <summary>A linear-algebra failure (<c>c10::LinAlgError</c>).</summary>
    LinearAlgebra = 8,

    /// <summary>A required handle was null.</summary>
    NullArgument = 9,

    /// <summary>A collective or rendezvous failed because a peer exited or a connection broke.</summary>
    Distributed = 10,

    /// <summary>A rendezvous or collective did not complete within the process group's timeout.</summary>
    DistributedTimeout = 11,

    /// <summary>The ranks called a collective with different tensors, roots or operations.</summary>
    DistributedMismatch = 12,
}

/// <summary>An error raised by libtorch, carrying its message without the C++ backtrace.</summary>
public class TorchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TorchException(TorchErrorKind kind, string message)
        : base(message) => Kind = kind;

    /// <summary>Creates the exception with a generic kind.</summary>
    public TorchException()
        : this(TorchErrorKind.Generic, "libtorch error")
    {
    }

    /// <summary>Creates the exception with a generic kind.</summary>
    public TorchException(string message)
        : this(TorchErrorKind.Generic, message)
    {
    }

    /// <summary>Creates the exception with a generic kind and an inner exception.</summary>
    public TorchException(string message, Exception innerException)
        : base(message, innerException) => Kind = TorchErrorKind.Generic;

    /// <summary>What kind of failure libtorch reported.</summary>
    public TorchErrorKind Kind { get; }
}

/// <summary>Tensor shapes do not fit the operation (broadcasting, matmul sizes, channel counts, view sizes).</summary>
public sealed class TorchShapeException(string message) : TorchException(TorchErrorKind.Shape, message);

/// <summary>A dtype mismatch or a dtype the operation does not accept.</summary>
public sealed class TorchDTypeException(string message) : TorchException(TorchErrorKind.Type, message);

/// <summary>An index or dimension out of range.</summary>
public sealed class TorchIndexException(string message) : TorchException(TorchErrorKind.Index, message);

/// <summary>An invalid argument value passed to a libtorch operation.</summary>
public sealed class TorchArgumentException(string message) : TorchException(TorchErrorKind.Value, message);

/// <summary>Memory ran out on the tensor's device; distinct so callers can retry with a smaller batch.</summary>
public sealed class TorchOutOfMemoryException(string message) : TorchException(TorchErrorKind.OutOfMemory, message);

/// <summary>The operation has no kernel for this dtype or device in the linked libtorch.</summary>
public sealed class TorchNotSupportedException(string message) : NotSupportedException(message);

/// <summary>Why the native shim could not be used.</summary>
public enum TorchLibraryLoadCause
{
    /// <summary>No shim file was found in any searched place: it was not built or not deployed.</summary>
    ShimNotFound,

    /// <summary>The shim was found but libtorch (or another dependency) could not be loaded.</summary>
    LibtorchMissing,

    /// <summary>The shim was built against a libtorch older than DiffusionCore supports.</summary>
    LibtorchVersion,

    /// <summary>The shim's ABI version does not match this managed assembly.</summary>
    AbiMismatch,

    /// <summary>The file exists but is not a loadable shim.</summary>
    ShimInvalid,
}

/// <summary>
/// The native shim or libtorch could not be loaded. The message names the cause and the fix;
/// <see cref="Attempts"/> lists every path tried and what happened there.
/// </summary>
public sealed class TorchLibraryLoadException : DllNotFoundException
{
    /// <summary>Creates the exception.</summary>
    public TorchLibraryLoadException(TorchLibraryLoadCause cause, string message, IReadOnlyList<string> attempts)
        : base(message + (attempts.Count > 0 ? Environment.NewLine + "Tried:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", attempts) : string.Empty))
    {
        Cause = cause;
        Attempts = attempts;
    }

    /// <summary>Why loading failed.</summary>
    public TorchLibraryLoadCause Cause { get; }

    /// <summary>Each searched path with its outcome, in search order.</summary>
    public IReadOnlyList<string> Attempts { get; }
}
