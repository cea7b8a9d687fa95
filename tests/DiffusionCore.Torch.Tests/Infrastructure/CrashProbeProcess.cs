using System.Diagnostics;

namespace DiffusionCore.Torch.Tests.Infrastructure;

/// <summary>How a child process of tests/DiffusionCore.CrashProbe ended.</summary>
/// <param name="ExitCode">0: the scenario ended as the library promises; 2: a managed exception escaped; 134/135/139:
/// the process died of SIGABRT (e.g. stack overflow), SIGBUS or SIGSEGV.</param>
/// <param name="Output">Its standard output (the summary line).</param>
/// <param name="Error">Its standard error.</param>
internal sealed record CrashProbeResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}; stdout: {Output.Trim()}; stderr: {Error.Trim()}";
}

/// <summary>
/// Runs one scenario of tests/DiffusionCore.CrashProbe in a child process, so that a failure that kills a process
/// (a native crash, a stack overflow) fails the test instead of the test run.
/// </summary>
internal static class CrashProbeProcess
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>The probe assembly, built next to this test project's output (same configuration and framework).</summary>
    public static string AssemblyPath
    {
        get
        {
            string testProject = Path.Combine(TestPaths.RepoRoot, "tests", "DiffusionCore.Torch.Tests");
            string relative = Path.GetRelativePath(testProject, AppContext.BaseDirectory);
            return Path.Combine(TestPaths.RepoRoot, "tests", "DiffusionCore.CrashProbe", relative, "DiffusionCore.CrashProbe.dll");
        }
    }

    /// <summary>Runs <paramref name="scenario"/> with <paramref name="arguments"/> and optional extra environment variables.</summary>
    public static CrashProbeResult Run(string scenario, IReadOnlyList<string>? arguments = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        string probe = AssemblyPath;
        File.Exists(probe).Should().BeTrue($"the crash probe is built with the tests (expected at {probe})");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(probe);
        start.ArgumentList.Add(scenario);
        foreach (string a in arguments ?? []) start.ArgumentList.Add(a);
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The crash probe '{scenario}' ran longer than {Limit}.");
        }

        return new CrashProbeResult(process.ExitCode, output.Result, error.Result);
    }
}
