using System.Runtime.InteropServices;
using DiffusionCore.Torch.Distributed;

namespace DiffusionCore.Torch.Interop;

/// <summary>Turns a shim status code into the typed .NET exception for the error kind it reports.</summary>
internal static class NativeStatus
{
    internal const int Ok = 0;

    /// <summary>Throws when <paramref name="status"/> is not <see cref="Ok"/>.</summary>
    internal static void Check(int status)
    {
        if (status != Ok)
        {
            throw Create(status);
        }
    }

    /// <summary>Builds the exception for a failed status, reading the thread's last native error message.</summary>
    internal static Exception Create(int status)
    {
        string message = Marshal.PtrToStringUTF8(NativeMethods.dc_last_error_message()) ?? "unknown libtorch error";
        var kind = (TorchErrorKind)status;
        return kind switch
        {
            TorchErrorKind.Shape => new TorchShapeException(message),
            TorchErrorKind.Type => new TorchDTypeException(message),
            TorchErrorKind.Index => new TorchIndexException(message),
            TorchErrorKind.OutOfMemory => new TorchOutOfMemoryException(message),
            TorchErrorKind.NotImplemented => new TorchNotSupportedException(message),
            TorchErrorKind.Value => new TorchArgumentException(message),
            TorchErrorKind.NullArgument => new ArgumentNullException(null, message),
            TorchErrorKind.Distributed => new DistributedException(message),
            TorchErrorKind.DistributedTimeout => new DistributedTimeoutException(message),
            TorchErrorKind.DistributedMismatch => new DistributedMismatchException(message),
            _ => new TorchException(kind, message),
        };
    }
}
