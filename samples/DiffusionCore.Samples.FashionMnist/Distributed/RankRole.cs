using System.Globalization;
using DiffusionCore.Torch.Distributed;
using DiffusionCore.Training;
using Microsoft.Extensions.Logging;

namespace DiffusionCore.Samples.FashionMnist.Distributed;

/// <summary>
/// This process's part in a data-parallel job (docs/distributed.md, "The Fashion-MNIST job"): under <c>--nproc N</c>,
/// <c>eng/launch.sh</c> or torchrun (the launch variables <c>RANK</c>, <c>WORLD_SIZE</c>, … are set), every rank trains
/// its own slice of each global batch through a Gloo process group; rank 0 alone writes checkpoints, snapshots, logs,
/// curves, samples and the summary, and the other ranks exit once training ends. Without the variables it is a single
/// process that does everything.
/// </summary>
internal sealed partial class RankRole : IDisposable
{
    private readonly ILogger _log;
    private ProcessGroup? _group;

    private RankRole(DistributedEnvironment environment, ILogger log)
    {
        Environment = environment;
        _log = log;
    }

    /// <summary>Where this process stands: rank, world size, rank 0's address.</summary>
    public DistributedEnvironment Environment { get; }

    /// <summary>Whether this process writes the job's outputs and logs (rank 0, or the only process).</summary>
    public bool WritesOutputs => Environment.IsRankZero;

    /// <summary>
    /// This process's role from the launch variables. <paramref name="processes"/> is the job's <c>--nproc</c>: under a
    /// launcher it must be 1 or the launcher's processes per machine (the job's own ranks inherit it).
    /// </summary>
    /// <exception cref="DistributedEnvironmentException">A launch variable is missing or out of range.</exception>
    /// <exception cref="ArgumentException"><c>--nproc</c> disagrees with the launcher's processes per machine.</exception>
    public static RankRole FromEnvironment(int processes, ILogger log)
    {
        var env = DistributedEnvironment.FromEnvironment();
        if (env.IsDistributed && processes > 1 && processes != env.LocalWorldSize)
        {
            throw new ArgumentException(
                $"--nproc {processes} was given, but a launcher already started this process as rank {env.Rank} of {env.WorldSize} " +
                $"({env.LocalWorldSize} per machine). Give either --nproc or a launcher (eng/launch.sh, torchrun), not both.");
        }

        return new RankRole(env, log);
    }

    /// <summary>
    /// The trainer's gradient reducer: the all-reduce over a Gloo group of every rank (created on first use, at
    /// <c>MASTER_ADDR:MASTER_PORT</c>), or <see cref="LocalGradientReducer"/> for a single process.
    /// </summary>
    public IGradientReducer GradientReducer()
    {
        if (!Environment.IsDistributed) return LocalGradientReducer.Instance;
        if (_group is null)
        {
            _group = ProcessGroup.Create(Environment, new ProcessGroupOptions { Timeout = Timeout });
            GroupJoined(_log, Environment.Rank, Environment.WorldSize, Environment.MasterAddress, Environment.MasterPort, Timeout.TotalSeconds);
        }

        return new DataParallelGradientReducer(_group);
    }

    /// <summary>
    /// How long a collective waits for the other ranks before it fails: it bounds how long a hung rank stalls the
    /// others and must exceed the longest gap between ranks (rank 0 writing a checkpoint or snapshots alone).
    /// </summary>
    public static TimeSpan Timeout { get; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Runs the training stage; a failure of another rank (killed, crashed, timed out) becomes an error that says so
    /// and how to continue.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another rank failed; the inner exception is c10d's error.</exception>
    public T Train<T>(Func<T> train, string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(train);
        try
        {
            return train();
        }
        catch (DistributedException e)
        {
            throw new InvalidOperationException(
                $"Rank {Environment.Rank} of {Environment.WorldSize}: the data-parallel group failed, most likely because another rank " +
                $"died, was stopped, hung or did not start in time. Run the same command again: it resumes from the last checkpoint in {runDirectory}.", e);
        }
    }

    /// <summary>
    /// The default of <c>--threads</c>: the machine's cores, shared among the ranks on this machine when launched
    /// data-parallel (<c>OMP_NUM_THREADS</c> when a launcher set it, else cores / <c>LOCAL_WORLD_SIZE</c>).
    /// </summary>
    public static int DefaultThreads()
    {
        int cores = Math.Max(1, System.Environment.ProcessorCount);
        if (System.Environment.GetEnvironmentVariable(DistributedEnvironment.WorldSizeVariable) is null) return cores;
        if (PositiveVariable("OMP_NUM_THREADS") is int omp) return omp;
        int perMachine = PositiveVariable(DistributedEnvironment.LocalWorldSizeVariable) ?? PositiveVariable(DistributedEnvironment.WorldSizeVariable) ?? 1;
        return Math.Max(1, cores / perMachine);
    }

    /// <summary>
    /// The threads for rank 0's work after training (post-hoc EMA, sampling, evaluation): the other ranks of this machine
    /// exit when training ends, so rank 0 takes their threads too (at most the machine's cores).
    /// </summary>
    public int ThreadsAfterTraining(int threads) =>
        Environment.IsDistributed ? Math.Clamp(threads * Environment.LocalWorldSize, threads, Math.Max(threads, System.Environment.ProcessorCount)) : threads;

    /// <summary>
    /// Silences standard output of ranks other than 0 (their warnings and errors still reach standard error), so only
    /// rank 0 logs. Call before creating the loggers. A malformed <c>RANK</c> is left to <see cref="FromEnvironment"/> to report.
    /// </summary>
    public static void SilenceOtherRanks()
    {
        if (PositiveVariable(DistributedEnvironment.RankVariable) is > 0) Console.SetOut(TextWriter.Null);
    }

    public void Dispose() => _group?.Dispose();

    private static int? PositiveVariable(string name) =>
        int.TryParse(System.Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : null;

    [LoggerMessage(EventId = 20, Level = LogLevel.Information,
        Message = "data-parallel: rank {Rank} of {WorldSize}, Gloo group at {Address}:{Port} (timeout {TimeoutSeconds:F0} s)")]
    private static partial void GroupJoined(ILogger logger, int rank, int worldSize, string address, int port, double timeoutSeconds);
}
