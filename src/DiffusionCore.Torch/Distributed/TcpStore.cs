using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch.Distributed;

/// <summary>
/// A rendezvous over TCP (<c>c10d::TCPStore</c>): rank 0 hosts the store on <see cref="Port"/> and every rank, rank 0
/// included, connects to <see cref="Host"/>:<see cref="Port"/> (torchrun's <c>MASTER_ADDR</c>/<c>MASTER_PORT</c>). The
/// constructor returns once all <see cref="Store.WorldSize"/> ranks have connected.
/// </summary>
public sealed class TcpStore : Store
{
    /// <summary>Hosts (<paramref name="isServer"/>, on rank 0) or joins the store and waits for all ranks.</summary>
    /// <param name="host">The address or name of the machine of rank 0.</param>
    /// <param name="port">The TCP port rank 0 listens on (1–65535; free on that machine).</param>
    /// <param name="isServer">True on exactly one rank (rank 0): it hosts the store.</param>
    /// <param name="worldSize">The number of ranks.</param>
    /// <param name="timeout">How long to wait for the server (clients) and for all ranks to connect.</param>
    /// <exception cref="DistributedTimeoutException">Not all ranks connected within <paramref name="timeout"/>.</exception>
    /// <exception cref="DistributedException">The port is taken (server) or the host cannot be reached.</exception>
    public TcpStore(string host, int port, bool isServer, int worldSize, TimeSpan timeout)
        : base(Open(host, port, isServer, worldSize, timeout), worldSize, $"TCP store {host}:{port}")
    {
        Host = host;
        Port = port;
        IsServer = isServer;
    }

    /// <summary>The address of rank 0's machine.</summary>
    public string Host { get; }

    /// <summary>The port of the store.</summary>
    public int Port { get; }

    /// <summary>Whether this process hosts the store.</summary>
    public bool IsServer { get; }

    private static StoreHandle Open(string host, int port, bool isServer, int worldSize, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        long ms = Milliseconds(timeout, nameof(timeout));
        NativeStatus.Check(NativeMethods.dc_store_tcp_new(host, port, isServer ? 1 : 0, worldSize, ms, out StoreHandle handle));
        return handle;
    }
}
