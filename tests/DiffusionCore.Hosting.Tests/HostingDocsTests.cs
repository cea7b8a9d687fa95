namespace DiffusionCore.Hosting.Tests;

/// <summary>docs/hosting.md shows the example that these tests compile and run, verbatim.</summary>
public class HostingDocsTests
{
    [Fact]
    public void The_docs_show_the_compiled_example_verbatim()
    {
        string example = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "eng", "package-smoke", "HostedTraining.cs")).ReplaceLineEndings("\n").Trim();
        string docs = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "hosting.md")).ReplaceLineEndings("\n");
        docs.Should().Contain("```csharp\n" + example + "\n```", "docs/hosting.md must show eng/package-smoke/HostedTraining.cs as it is");
    }
}
