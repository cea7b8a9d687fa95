using System.Text.RegularExpressions;

namespace DiffusionCore.Hosting.Tests;

/// <summary>Issue 18: the package READMEs link documents that exist, never a repository address that does not.</summary>
public partial class PackageReadmeTests
{
    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [Fact]
    public void Every_package_readme_links_only_existing_repository_documents()
    {
        string[] readmes = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "src"), "README.md", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToArray();
        readmes.Should().Contain(p => p.EndsWith(Path.Combine("DiffusionCore.Hosting", "README.md"), StringComparison.Ordinal));
        foreach (string readme in readmes)
        {
            string text = File.ReadAllText(readme);
            text.Should().NotContain("github.com/diffusioncore", $"{readme} must not link the unpublished repository address");
            foreach (Match m in Link().Matches(text))
            {
                string target = m.Groups[1].Value;
                if (target.StartsWith("https://", StringComparison.Ordinal) || target.StartsWith('#')) continue;
                string path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(readme)!, target.Split('#')[0]));
                File.Exists(path).Should().BeTrue($"{readme} links {target}");
            }
        }
    }
}
