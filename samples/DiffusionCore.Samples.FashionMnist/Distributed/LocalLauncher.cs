using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using DiffusionCore.Torch.Distributed;
using Microsoft.Extensions.Logging;

namespace DiffusionCore.Samples.FashionMnist.Distributed;

/// <summary>
/// <c>--nproc N</c>: starts N copies of this program with the same arguments and torchrun's launch variables
/// (<c>RANK</c>, <c>WORLD_SIZE</c>, <c>LOCAL_RANK</c>, <c>LOCAL_WORLD_SIZE</c>, <c>MASTER_ADDR</c> = 127.0.0.1,
/// <c>MASTER_PORT</c> = a free port unless set, <c>OMP_NUM_THREADS</c> = cores / N unless set), forwards every output
/// line with the prefix <c>[rank R] </c>, and waits. When a rank fails, the others get the grace period to stop on
/// their own (their next collective fails within a second) and are then killed; the exit code is the failed rank's.
/// The same conventions as <c>eng/launch.sh</c>, for one machine, without needing the repository.
/// </summary>
internal static partial class LocalLauncher
{
    /// <summary>How long the other ranks may take to stop on their own after one failed.</summary>
    public static TimeSpan Grace { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether <c>--nproc</c> asks for ranks and this process is not already one.</summary>
    public static bool ShouldLaunch(int processes) =>
        processes > 1 && Environment.GetEnvironmentVariable(DistributedEnvironment.WorldSizeVariable) is null
                      && Environment.GetEnvironmentVariable(DistributedEnvironment.RankVariable) is null;

    /// <summary>Runs <paramref name="processes"/> ranks of this program's command line and returns the job's exit code.</summary>
    public static int Run(int processes, ILogger log)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(processes, 2);
        (string file, string[] command) = ThisProgram();
        int port = Environment.GetEnvironmentVariable(DistributedEnvironment.MasterPortVariable) is { Length: > 0 } p ? Port(p) : FreePort();
        string threads = Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is { Length: > 0 } t
            ? t
            : Math.Max(1, Environment.ProcessorCount / processes).ToString(CultureInfo.InvariantCulture);
        Launching(log, processes, port, threads);

        var output = new object();
        var ranks = new Process[processes];
        try
        {
            for (int rank = 0; rank < processes; rank++)
            {
                ranks[rank] = Start(file, command, rank, processes, port, threads, output);
            }

            using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Kill(ranks));
            // Ctrl+C reaches every rank from the terminal; they stop together after a checkpoint, and this process waits.
            ConsoleCancelEventHandler onCancel = (_, e) => e.Cancel = true;
            Console.CancelKeyPress += onCancel;
            try
            {
                return Wait(ranks, log);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        }
        finally
        {
            Kill(ranks);
            foreach (Process? rank in ranks) rank?.Dispose();
        }
    }

    /// <summary>Waits for every rank; after the first failure the others get <see cref="Grace"/> and are then killed.</summary>
    private static int Wait(Process[] ranks, ILogger log)
    {
        Task[] exits = [.. ranks.Select(r => r.WaitForExitAsync())];
        var running = new List<Task>(exits);
        int? failure = null;
        while (running.Count > 0)
        {
            Task done = Task.WhenAny(running).GetAwaiter().GetResult();
            running.Remove(done);
            int rank = Array.IndexOf(exits, done);
            int code = ranks[rank].ExitCode;
            if (code == 0 || failure is not null) continue;
            failure = code;
            RankFailed(log, rank, code, running.Count, Grace.TotalSeconds);
            if (!Task.WhenAll(running).Wait(Grace)) Kill(ranks);
        }

        return failure ?? 0;
    }

    private static Process Start(string file, string[] command, int rank, int world, int port, string threads, object output)
    {
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in command) info.ArgumentList.Add(argument);
        info.Environment[DistributedEnvironment.RankVariable] = Text(rank);
        info.Environment[DistributedEnvironment.WorldSizeVariable] = Text(world);
        info.Environment[DistributedEnvironment.LocalRankVariable] = Text(rank);
        info.Environment[DistributedEnvironment.LocalWorldSizeVariable] = Text(world);
        info.Environment[DistributedEnvironment.MasterAddressVariable] = IPAddress.Loopback.ToString();
        info.Environment[DistributedEnvironment.MasterPortVariable] = Text(port);
        info.Environment["OMP_NUM_THREADS"] = threads;

        var process = new Process { StartInfo = info };
        string prefix = $"[rank {Text(rank)}] ";
        process.OutputDataReceived += (_, e) => Forward(Console.Out, prefix, e.Data, output);
        process.ErrorDataReceived += (_, e) => Forward(Console.Error, prefix, e.Data, output);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Forward(TextWriter writer, string prefix, string? line, object gate)
    {
        if (line is null) return;
        lock (gate) writer.WriteLine(prefix + line);
    }

    /// <summary>Kills every rank still running, with the processes it started.</summary>
    private static void Kill(Process?[] ranks)
    {
        foreach (Process? rank in ranks)
        {
            try
            {
                if (rank is { HasExited: false }) rank.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited in between (or never started).
            }
        }
    }

    /// <summary>The executable and leading arguments that start this program again: the app host, or dotnet with the entry assembly.</summary>
    private static (string File, string[] Arguments) ThisProgram()
    {
        string host = Environment.ProcessPath
            ?? throw new InvalidOperationException("--nproc cannot find this program's executable; start the ranks with eng/launch.sh instead.");
        string[] args = Environment.GetCommandLineArgs();
        bool viaDotnet = Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return viaDotnet ? (host, args) : (host, args[1..]);
    }

    /// <summary>A TCP port on the loopback interface that is free now (rank 0 binds it moments later).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int Port(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65535
            ? port
            : throw new DistributedEnvironmentException($"MASTER_PORT is '{text}', but it must be a TCP port in 1..65535 (or unset: --nproc then picks a free one).");

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information,
        Message = "--nproc: starting {Processes} ranks of this job on this machine (MASTER_ADDR 127.0.0.1, MASTER_PORT {Port}, {Threads} thread(s) each)")]
    private static partial void Launching(ILogger logger, int processes, int port, string threads);

    [LoggerMessage(EventId = 22, Level = LogLevel.Error,
        Message = "rank {Rank} exited with code {Code}; stopping the {Running} other rank(s) (killed after {GraceSeconds:F0} s). Run the same command again to resume from the last checkpoint.")]
    private static partial void RankFailed(ILogger logger, int rank, int code, int running, double graceSeconds);
}
