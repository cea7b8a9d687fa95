using System.Globalization;

namespace DiffusionCore.Evaluation;

/// <summary>
/// Locations of the evaluation cache: the trained Fashion-MNIST classifier and the reference (test-set) feature
/// statistics, each a safetensors file whose metadata says how it was made.
/// </summary>
public static class EvaluationCache
{
    /// <summary>Environment variable that overrides the default cache folder.</summary>
    public const string DirectoryVariable = "DIFFUSIONCORE_CACHE_DIR";

    /// <summary>
    /// The default cache folder: <c>$DIFFUSIONCORE_CACHE_DIR</c> when set, else
    /// <c>$XDG_CACHE_HOME/diffusioncore/evaluation</c>, else <c>~/.cache/diffusioncore/evaluation</c>.
    /// </summary>
    public static string DefaultDirectory
    {
        get
        {
            string? explicitDir = Environment.GetEnvironmentVariable(DirectoryVariable);
            if (!string.IsNullOrWhiteSpace(explicitDir))
            {
                return explicitDir;
            }

            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = !string.IsNullOrWhiteSpace(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "diffusioncore", "evaluation");
        }
    }

    /// <summary>The classifier weights file for a training seed, in <paramref name="directory"/>.</summary>
    public static string ClassifierPath(string directory, ulong seed) => Path.Combine(
        directory,
        string.Create(CultureInfo.InvariantCulture, $"fmnist-classifier-v{FashionMnistClassifier.ArchitectureVersion}-seed{seed}.safetensors"));

    /// <summary>The test-set feature statistics file for a training seed, in <paramref name="directory"/>.</summary>
    public static string ReferenceStatisticsPath(string directory, ulong seed) => Path.Combine(
        directory,
        string.Create(CultureInfo.InvariantCulture, $"fmnist-test-features-v{FashionMnistClassifier.ArchitectureVersion}-seed{seed}.safetensors"));
}
