namespace DiffusionCore.Torch.Tests;

/// <summary>Locates the repository and its test fixtures from the test's output directory.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);

    /// <summary>The directory holding DiffusionCore.sln (found by walking up from AppContext.BaseDirectory).</summary>
    public static string RepoRoot => s_repoRoot.Value;

    /// <summary>The reference parity fixtures: tests/fixtures/reference in the repository.</summary>
    public static string ReferenceFixtures => Path.Combine(RepoRoot, "tests", "fixtures", "reference");

    /// <summary>One reference fixture, by file name with or without the .safetensors extension.</summary>
    public static string ReferenceFixture(string name) =>
        Path.Combine(ReferenceFixtures, name.EndsWith(".safetensors", StringComparison.Ordinal) ? name : name + ".safetensors");

    /// <summary>Every *.safetensors file in the reference fixture folder, sorted by name.</summary>
    public static IReadOnlyList<string> ReferenceFixtureFiles()
    {
        if (!Directory.Exists(ReferenceFixtures))
        {
            throw new DirectoryNotFoundException($"The reference fixtures were not found at '{ReferenceFixtures}' (they are part of the repository under '{RepoRoot}'; restore them with git checkout).");
        }

        string[] files = Directory.GetFiles(ReferenceFixtures, "*.safetensors");
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    private static string FindRepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DiffusionCore.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No directory above '{AppContext.BaseDirectory}' contains DiffusionCore.sln.");
    }
}
