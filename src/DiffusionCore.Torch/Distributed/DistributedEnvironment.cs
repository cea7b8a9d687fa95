using System.Globalization;

namespace DiffusionCore.Torch.Distributed;

/// <summary>
/// Where this process stands in a data-parallel job, read from the launch variables of the ecosystem (torchrun's and
/// DiffusionCore's <c>eng/launch.sh</c>): <c>RANK</c>, <c>WORLD_SIZE</c>, <c>LOCAL_RANK</c>, <c>LOCAL_WORLD_SIZE</c>,
/// <c>MASTER_ADDR</c> and <c>MASTER_PORT</c> (docs/distributed.md).
/// </summary>
/// <param name="Rank">This process's rank, 0 ≤ Rank &lt; WorldSize; rank 0 hosts the store and writes the outputs.</param>
/// <param name="WorldSize">The number of processes.</param>
/// <param name="LocalRank">This process's index on its machine (chooses its GPU).</param>
/// <param name="LocalWorldSize">The number of processes on this machine.</param>
/// <param name="MasterAddress">The address of rank 0's machine.</param>
/// <param name="MasterPort">The TCP port of rank 0's store.</param>
public sealed record DistributedEnvironment(int Rank, int WorldSize, int LocalRank, int LocalWorldSize, string MasterAddress, int MasterPort)
{
    /// <summary>The variable holding the global rank.</summary>
    public const string RankVariable = "RANK";

    /// <summary>The variable holding the number of processes.</summary>
    public const string WorldSizeVariable = "WORLD_SIZE";

    /// <summary>The variable holding the rank on this machine.</summary>
    public const string LocalRankVariable = "LOCAL_RANK";

    /// <summary>The variable holding the number of processes on this machine.</summary>
    public const string LocalWorldSizeVariable = "LOCAL_WORLD_SIZE";

    /// <summary>The variable holding rank 0's address.</summary>
    public const string MasterAddressVariable = "MASTER_ADDR";

    /// <summary>The variable holding rank 0's store port.</summary>
    public const string MasterPortVariable = "MASTER_PORT";

    /// <summary>A single process: rank 0 of 1.</summary>
    public static DistributedEnvironment Single { get; } = new(0, 1, 0, 1, "127.0.0.1", 29500);

    /// <summary>Whether more than one process takes part.</summary>
    public bool IsDistributed => WorldSize > 1;

    /// <summary>Whether this is rank 0.</summary>
    public bool IsRankZero => Rank == 0;

    /// <summary>
    /// Reads the launch variables of this process. Without <c>RANK</c> and <c>WORLD_SIZE</c> it is <see cref="Single"/>;
    /// with them, <c>MASTER_ADDR</c> and <c>MASTER_PORT</c> are required when <c>WORLD_SIZE</c> &gt; 1, and
    /// <c>LOCAL_RANK</c>/<c>LOCAL_WORLD_SIZE</c> default to <c>RANK</c>/<c>WORLD_SIZE</c> (one machine).
    /// </summary>
    /// <exception cref="DistributedEnvironmentException">A variable is missing, not a number or out of range.</exception>
    public static DistributedEnvironment FromEnvironment() => FromVariables(Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="FromEnvironment"/>, reading the variables through <paramref name="lookup"/>.</summary>
    public static DistributedEnvironment FromVariables(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        string? rankText = Value(lookup, RankVariable);
        string? worldText = Value(lookup, WorldSizeVariable);
        if (rankText is null && worldText is null) return Single;
        if (rankText is null || worldText is null)
        {
            string missing = rankText is null ? RankVariable : WorldSizeVariable;
            throw new DistributedEnvironmentException(
                $"{missing} is not set but {(rankText is null ? WorldSizeVariable : RankVariable)} is: a distributed launch sets both " +
                "(run the command under eng/launch.sh or torchrun), a single process sets neither.");
        }

        int world = Integer(WorldSizeVariable, worldText, 1, int.MaxValue);
        int rank = Integer(RankVariable, rankText, 0, world - 1);
        int localWorld = Value(lookup, LocalWorldSizeVariable) is { } lw ? Integer(LocalWorldSizeVariable, lw, 1, world) : world;
        int localRank = Value(lookup, LocalRankVariable) is { } lr ? Integer(LocalRankVariable, lr, 0, localWorld - 1) : rank % localWorld;
        string? address = Value(lookup, MasterAddressVariable);
        string? portText = Value(lookup, MasterPortVariable);
        if (world > 1 && (address is null || portText is null))
        {
            throw new DistributedEnvironmentException(
                $"{(address is null ? MasterAddressVariable : MasterPortVariable)} is not set, but WORLD_SIZE is {world}: every rank needs " +
                "rank 0's address (MASTER_ADDR) and a free TCP port on it (MASTER_PORT) to meet there.");
        }

        int port = portText is null ? Single.MasterPort : Integer(MasterPortVariable, portText, 1, 65535);
        return new DistributedEnvironment(rank, world, localRank, localWorld, address ?? Single.MasterAddress, port);
    }

    private static string? Value(Func<string, string?> lookup, string name) =>
        lookup(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    private static int Integer(string name, string text, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new DistributedEnvironmentException($"{name} is '{text}', but it must be an integer in {min}..{max}.");
        }

        return value;
    }
}
