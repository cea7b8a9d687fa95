namespace DiffusionCore.Torch.Distributed;

/// <summary>Options of a <see cref="ProcessGroup"/>.</summary>
public sealed class ProcessGroupOptions
{
    /// <summary>The environment variable that names Gloo's network interface (PyTorch's convention).</summary>
    public const string NetworkInterfaceVariable = "GLOO_SOCKET_IFNAME";

    /// <summary>The communication library (Gloo by default).</summary>
    public DistributedBackend Backend { get; init; } = DistributedBackend.Gloo;

    /// <summary>
    /// How long the rendezvous and every collective wait for the other ranks before failing with
    /// <see cref="DistributedTimeoutException"/> (default 5 minutes). A collective waits for the slowest rank's step, so
    /// this must exceed the largest difference between the ranks' arrival at a collective. A peer that exits is detected
    /// at once through its closed connections; the timeout covers peers that hang.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The largest bucket of an all-reduce or broadcast (default 25 MiB, PyTorch DDP's bucket size): a list of tensors
    /// is flattened into buckets of one dtype up to this size, one collective per bucket.
    /// </summary>
    public long BucketBytes { get; init; } = 25L << 20;

    /// <summary>
    /// Gloo's network interface (for example "eth0"); default: <c>GLOO_SOCKET_IFNAME</c>, else the loopback interface
    /// when the store's host is a loopback address, else the address this machine's hostname resolves to.
    /// </summary>
    public string? NetworkInterface { get; init; }

    /// <summary>The CUDA device of an NCCL group (default: <see cref="DistributedEnvironment.LocalRank"/> when the group is created from the environment, else the rank, modulo the visible devices).</summary>
    public int? CudaDevice { get; init; }
}
