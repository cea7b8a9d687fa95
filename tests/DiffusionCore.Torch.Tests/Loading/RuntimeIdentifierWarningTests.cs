using System.Diagnostics;

namespace DiffusionCore.Torch.Tests.Loading;

/// <summary>
/// Issue 18: a build for a runtime identifier without the native shim warns (the package's buildTransitive targets)
/// instead of succeeding silently. Runs the packed targets file through MSBuild on a project that imports it.
/// </summary>
public sealed class RuntimeIdentifierWarningTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dc-rid-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Build(string? runtimeIdentifier, bool suppress = false)
    {
        string targets = Path.Combine(TestPaths.RepoRoot, "src", "DiffusionCore.Torch", "buildTransitive", "DiffusionCore.Torch.targets");
        File.Exists(targets).Should().BeTrue();
        string project = Path.Combine(_dir.FullName, "consumer.proj");
        File.WriteAllText(project, $"""
            <Project>
              <Import Project="{targets}" />
              <Target Name="Build" />
            </Project>
            """);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir.FullName,
        };
        foreach (string a in new[] { "msbuild", project, "-nologo", "-noAutoResponse", "-t:Build" }) start.ArgumentList.Add(a);
        if (runtimeIdentifier is not null) start.ArgumentList.Add($"-p:RuntimeIdentifier={runtimeIdentifier}");
        if (suppress) start.ArgumentList.Add("-p:DiffusionCoreSuppressRuntimeIdentifierWarning=true");
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit(120_000).Should().BeTrue("msbuild finishes");
        process.ExitCode.Should().Be(0, output + error.Result);
        return output;
    }

    [Fact]
    public void Another_runtime_identifier_gets_a_warning_naming_the_fix()
    {
        string output = Build("win-x64");
        output.Should().Contain("warning DIFFUSIONCORE001").And.Contain("'win-x64'").And.Contain("linux-x64 only")
            .And.Contain("DIFFUSIONCORE_NATIVE");
    }

    [Fact]
    public void Linux_x64_no_runtime_identifier_or_the_opt_out_build_quietly()
    {
        Build("linux-x64").Should().NotContain("DIFFUSIONCORE001");
        Build(null).Should().NotContain("DIFFUSIONCORE001");
        Build("linux-arm64", suppress: true).Should().NotContain("DIFFUSIONCORE001");
    }
}
