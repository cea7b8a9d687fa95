using System.Net;
using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch.Distributed;

/// <summary>
/// A group of processes that communicate tensors through libtorch's distributed engine, c10d (a
/// <c>ProcessGroupGloo</c>, or a <c>ProcessGroupNCCL</c> in a CUDA build): all-reduce, broadcast and barrier, in place.
/// Every rank must run the same collectives with tensors of the same shapes in the same order, from one thread at a
/// time. Each call first compares a signature of its arguments across ranks
/// (<see cref="DistributedMismatchException"/> when they differ), then flattens the tensors into buckets of one dtype
/// (<see cref="ProcessGroupOptions.BucketBytes"/>) and runs one collective per bucket. A peer that exits fails the call
/// with <see cref="DistributedException"/>, one that hangs with <see cref="DistributedTimeoutException"/> after
/// <see cref="ProcessGroupOptions.Timeout"/>; after either the group refuses further calls. See docs/distributed.md.
/// </summary>
public sealed class ProcessGroup : IDisposable
{
    private readonly ProcessGroupHandle _handle;
    private readonly Store? _ownedStore;
    private readonly Lock _gate = new();

    private ProcessGroup(ProcessGroupHandle handle, int rank, int worldSize, ProcessGroupOptions options, Device device, Store? ownedStore)
    {
        Device = device;
        _handle = handle;
        _ownedStore = ownedStore;
        Rank = rank;
        WorldSize = worldSize;
        Backend = options.Backend;
        Timeout = options.Timeout;
        BucketBytes = options.BucketBytes;
    }

    /// <summary>This process's rank.</summary>
    public int Rank { get; }

    /// <summary>The number of processes.</summary>
    public int WorldSize { get; }

    /// <summary>Whether this is rank 0.</summary>
    public bool IsRankZero => Rank == 0;

    /// <summary>The communication library.</summary>
    public DistributedBackend Backend { get; }

    /// <summary>The device of the tensors this group communicates: the CPU for Gloo, the group's GPU for NCCL.</summary>
    public Device Device { get; }

    /// <summary>How long a collective waits for the other ranks.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The largest bucket of a collective in bytes.</summary>
    public long BucketBytes { get; }

    /// <summary>Whether this shim can create groups of <paramref name="backend"/> (NCCL needs a CUDA build and a GPU).</summary>
    public static bool IsBackendAvailable(DistributedBackend backend)
    {
        NativeStatus.Check(NativeMethods.dc_dist_backend_available((int)backend, out int available));
        return available != 0;
    }

    /// <summary>Joins the group of <paramref name="worldSize"/> ranks that meet through <paramref name="store"/>; returns when all have joined.</summary>
    /// <param name="store">The rendezvous store, the same on every rank (the group keeps it alive).</param>
    /// <param name="rank">This process's rank, distinct on every rank.</param>
    /// <param name="worldSize">The number of ranks (the store's).</param>
    /// <param name="options">Backend, timeout, bucket size, network interface.</param>
    /// <exception cref="DistributedTimeoutException">Not every rank joined within the timeout.</exception>
    /// <exception cref="TorchNotSupportedException">The backend is not available in this shim.</exception>
    public static ProcessGroup Create(Store store, int rank, int worldSize, ProcessGroupOptions? options = null) =>
        Create(store, rank, worldSize, options ?? new ProcessGroupOptions(), localRank: rank, ownsStore: false);

    /// <summary>
    /// Joins the group described by the launch variables (<see cref="DistributedEnvironment.FromEnvironment"/>): a
    /// <see cref="TcpStore"/> at <c>MASTER_ADDR</c>:<c>MASTER_PORT</c> hosted by rank 0. The group owns that store.
    /// </summary>
    public static ProcessGroup Create(DistributedEnvironment environment, ProcessGroupOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        options ??= new ProcessGroupOptions();
        var store = new TcpStore(environment.MasterAddress, environment.MasterPort, environment.IsRankZero, environment.WorldSize, options.Timeout);
        try
        {
            return Create(store, environment.Rank, environment.WorldSize, options, environment.LocalRank, ownsStore: true);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Reduces every tensor element-wise over all ranks, in place (<c>torch.distributed.all_reduce</c> on a bucketed list).</summary>
    /// <param name="tensors">Dense tensors on the group's device (CPU for Gloo); the same count, dtypes and shapes on every rank.</param>
    /// <param name="operation">How values combine; <see cref="ReduceOperation.Average"/> divides the sum by <see cref="WorldSize"/>.</param>
    public unsafe void AllReduce(IReadOnlyList<Tensor> tensors, ReduceOperation operation = ReduceOperation.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (!Enum.IsDefined(operation)) throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown reduce operation.");
        Call(tensors, (group, raw, n) => NativeMethods.dc_pg_allreduce(group, raw, n, (int)operation, BucketBytes));
    }

    /// <summary>Reduces one tensor over all ranks, in place.</summary>
    public void AllReduce(Tensor tensor, ReduceOperation operation = ReduceOperation.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        AllReduce([tensor], operation);
    }

    /// <summary>Gives every rank's tensors the values of <paramref name="root"/>'s, in place (<c>torch.distributed.broadcast</c> on a bucketed list).</summary>
    /// <param name="tensors">Dense tensors on the group's device; the same count, dtypes and shapes on every rank.</param>
    /// <param name="root">The rank whose values are sent.</param>
    public unsafe void Broadcast(IReadOnlyList<Tensor> tensors, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, WorldSize);
        Call(tensors, (group, raw, n) => NativeMethods.dc_pg_broadcast(group, raw, n, root, BucketBytes));
    }

    /// <summary>Gives every rank's tensor the values of <paramref name="root"/>'s, in place.</summary>
    public void Broadcast(Tensor tensor, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Broadcast([tensor], root);
    }

    /// <summary>Returns when every rank has reached the barrier.</summary>
    public void Barrier()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            NativeStatus.Check(NativeMethods.dc_pg_barrier(_handle));
        }
    }

    /// <summary>Leaves the group and releases its connections (and the store it owns).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _handle.Dispose();
            _ownedStore?.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Backend} process group, rank {Rank} of {WorldSize}";

    private static ProcessGroup Create(Store store, int rank, int worldSize, ProcessGroupOptions options, int localRank, bool ownsStore)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, worldSize);
        if (store.WorldSize != worldSize)
        {
            throw new ArgumentException($"The {store} was opened for {store.WorldSize} ranks, but the group is for {worldSize}.", nameof(worldSize));
        }

        if (options.Timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), options.Timeout, "ProcessGroupOptions.Timeout must be positive.");
        if (options.BucketBytes < 1) throw new ArgumentOutOfRangeException(nameof(options), options.BucketBytes, "ProcessGroupOptions.BucketBytes must be positive.");
        if (!Enum.IsDefined(options.Backend)) throw new ArgumentOutOfRangeException(nameof(options), options.Backend, "Unknown backend.");
        string? networkInterface = options.NetworkInterface ?? Environment.GetEnvironmentVariable(ProcessGroupOptions.NetworkInterfaceVariable);
        string? hostname = string.IsNullOrWhiteSpace(networkInterface) && store is TcpStore tcp && IsLoopback(tcp.Host) ? "127.0.0.1" : null;
        int cudaDevice = options.Backend == DistributedBackend.Nccl
            ? options.CudaDevice ?? localRank % Math.Max(1, Torch.CudaDeviceCount)
            : -1;
        long ms = (long)Math.Ceiling(options.Timeout.TotalMilliseconds);
        NativeStatus.Check(NativeMethods.dc_pg_new(store.Handle, rank, worldSize, (int)options.Backend, ms, networkInterface, hostname, cudaDevice, out ProcessGroupHandle handle));
        Device device = options.Backend == DistributedBackend.Nccl ? Device.Cuda(cudaDevice) : Device.Cpu;
        return new ProcessGroup(handle, rank, worldSize, options, device, ownsStore ? store : null);
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out IPAddress? address) && IPAddress.IsLoopback(address));

    private unsafe delegate int NativeCall(ProcessGroupHandle group, IntPtr* tensors, int n);

    private unsafe void Call(IReadOnlyList<Tensor> tensors, NativeCall call)
    {
        for (int i = 0; i < tensors.Count; i++)
        {
            if (tensors[i] is null) throw new ArgumentException($"Tensor {i} of the list is null.", nameof(tensors));
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            using var handles = new TensorHandleLease(tensors);
            fixed (IntPtr* p = handles.Pointers)
            {
                NativeStatus.Check(call(_handle, p, tensors.Count));
            }
        }
    }
}
