using System.Runtime.InteropServices;

namespace DiffusionCore.Torch.Interop;

/// <summary>P/Invoke declarations of native/dc_dist.cpp (c10d stores, process groups and collectives).</summary>
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int dc_store_tcp_new(string host, int port, int isServer, int worldSize, long timeoutMs, out StoreHandle store);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int dc_store_file_new(string path, int worldSize, long timeoutMs, out StoreHandle store);

    [LibraryImport(Lib)] internal static partial void dc_store_free(IntPtr store);

    [LibraryImport(Lib)] internal static partial int dc_dist_backend_available(int backend, out int available);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int dc_pg_new(StoreHandle store, int rank, int worldSize, int backend, long timeoutMs, string? networkInterface, string? hostname, int cudaDevice, out ProcessGroupHandle group);

    [LibraryImport(Lib)] internal static partial void dc_pg_free(IntPtr group);

    [LibraryImport(Lib)] internal static partial int dc_pg_allreduce(ProcessGroupHandle group, IntPtr* tensors, int n, int op, long bucketBytes);

    [LibraryImport(Lib)] internal static partial int dc_pg_broadcast(ProcessGroupHandle group, IntPtr* tensors, int n, int root, long bucketBytes);

    [LibraryImport(Lib)] internal static partial int dc_pg_barrier(ProcessGroupHandle group);
}
