using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DiffusionCore.Distributed.Tests.Support;

/// <summary>Runs eng/launch.sh of this repository and captures its output.</summary>
internal static class Launcher
{
    public static string ScriptPath
    {
        get
        {
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string script = Path.Combine(dir.FullName, "eng", "launch.sh");
                if (File.Exists(Path.Combine(dir.FullName, "DiffusionCore.sln")) && File.Exists(script)) return script;
            }

            throw new FileNotFoundException($"No eng/launch.sh in a repository above '{AppContext.BaseDirectory}'.");
        }
    }

    /// <summary>Runs the launcher with <paramref name="arguments"/>; kills it (and fails) after <paramref name="timeout"/>.</summary>
    public static (int ExitCode, string[] Stdout, string Stderr, TimeSpan Elapsed) Run(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ScriptPath);
        foreach (string a in arguments) start.ArgumentList.Add(a);
        start.Environment.Remove("MASTER_PORT");
        start.Environment.Remove("OMP_NUM_THREADS");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"eng/launch.sh did not finish within {timeout}.");
        }

        TimeSpan elapsed = clock.Elapsed;
        string[] lines = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (process.ExitCode, lines, stderr.Result, elapsed);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
