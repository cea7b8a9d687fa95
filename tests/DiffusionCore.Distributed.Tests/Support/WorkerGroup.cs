using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DiffusionCore.Distributed.Tests.Support;

/// <summary>
/// Starts the worker (tests/DiffusionCore.Distributed.Worker) once per rank on loopback with torchrun's launch variables,
/// collects each rank's "key=value" lines and kills every rank still running when disposed, so a test never leaves
/// processes behind or hangs.
/// </summary>
internal sealed class WorkerGroup : IDisposable
{
    private readonly Process[] _processes;
    private readonly ConcurrentDictionary<string, string>[] _results;
    private readonly ConcurrentQueue<string>[] _output;

    /// <summary>Starts <paramref name="worldSize"/> ranks (or only <paramref name="ranks"/> of them) running <paramref name="arguments"/>.</summary>
    public WorkerGroup(int worldSize, string arguments, IReadOnlyList<int>? ranks = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        int port = FreePort();
        ranks ??= Enumerable.Range(0, worldSize).ToArray();
        _processes = new Process[worldSize];
        _results = new ConcurrentDictionary<string, string>[worldSize];
        _output = new ConcurrentQueue<string>[worldSize];
        foreach (int rank in ranks)
        {
            _results[rank] = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
            _output[rank] = new ConcurrentQueue<string>();
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(WorkerPath);
            foreach (string a in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)) start.ArgumentList.Add(a);
            start.Environment["RANK"] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["WORLD_SIZE"] = worldSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["LOCAL_RANK"] = start.Environment["RANK"];
            start.Environment["MASTER_ADDR"] = "127.0.0.1";
            start.Environment["MASTER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["OMP_NUM_THREADS"] = "1";
            foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
            var process = new Process { StartInfo = start };
            int r = rank;
            process.OutputDataReceived += (_, e) => Receive(r, e.Data);
            process.ErrorDataReceived += (_, e) => Receive(r, e.Data is null ? null : "stderr: " + e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _processes[rank] = process;
        }
    }

    /// <summary>The worker assembly, copied next to the tests by the project reference.</summary>
    public static string WorkerPath => Path.Combine(AppContext.BaseDirectory, "DiffusionCore.Distributed.Worker.dll");

    /// <summary>Waits until <paramref name="rank"/> has printed <paramref name="key"/>, and returns the value.</summary>
    public string WaitFor(int rank, string key, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_results[rank].TryGetValue(key, out string? value)) return value;
            if (_processes[rank].HasExited && !_results[rank].ContainsKey(key))
            {
                _processes[rank].WaitForExit();  // drains the output handlers
                if (_results[rank].TryGetValue(key, out value)) return value;
                throw new InvalidOperationException($"Rank {rank} exited with code {_processes[rank].ExitCode} before printing '{key}'.{Environment.NewLine}{Output(rank)}");
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"Rank {rank} did not print '{key}' within {timeout}.{Environment.NewLine}{Output(rank)}");
    }

    /// <summary>Waits for every started rank to exit and checks that each exited with 0.</summary>
    public void WaitForSuccess(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        for (int rank = 0; rank < _processes.Length; rank++)
        {
            Process? p = _processes[rank];
            if (p is null) continue;
            TimeSpan left = timeout - clock.Elapsed;
            if (!p.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero))
            {
                throw new TimeoutException($"Rank {rank} did not exit within {timeout}.{Environment.NewLine}{Output(rank)}");
            }

            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"Rank {rank} exited with code {p.ExitCode}.{Environment.NewLine}{Output(rank)}");
        }
    }

    /// <summary>Kills one rank (SIGKILL) and waits until it is gone.</summary>
    public void Kill(int rank)
    {
        _processes[rank].Kill(entireProcessTree: true);
        _processes[rank].WaitForExit();
    }

    /// <summary>Everything <paramref name="rank"/> printed so far, for failure messages.</summary>
    public string Output(int rank) => string.Join(Environment.NewLine, _output[rank]);

    public void Dispose()
    {
        foreach (Process? p in _processes)
        {
            if (p is null) continue;
            try
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.WaitForExit();
            }
            catch (InvalidOperationException)
            {
                // never started
            }

            p.Dispose();
        }
    }

    private void Receive(int rank, string? line)
    {
        if (line is null) return;
        _output[rank].Enqueue(line);
        int eq = line.IndexOf('=', StringComparison.Ordinal);
        if (eq > 0 && !line.StartsWith("stderr: ", StringComparison.Ordinal)) _results[rank][line[..eq]] = line[(eq + 1)..];
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
