namespace DiffusionCore.TestSupport;

/// <summary>
/// The test categories (xunit traits named "Category"), so a run can select or leave out tests with
/// <c>dotnet test --filter "Category!=Slow"</c>. tests/README.md lists what each category means and the commands.
/// </summary>
internal static class TestCategory
{
    /// <summary>The trait name used for every category.</summary>
    public const string Name = "Category";

    /// <summary>Takes seconds or more on a 2-core machine: trains a network or classifier, or samples many points over many steps.</summary>
    public const string Slow = "Slow";

    /// <summary>Reads Fashion-MNIST as installed by the Debian package dataset-fashion-mnist; skipped when it is missing.</summary>
    public const string Dataset = "Dataset";

    /// <summary>Needs a CUDA device through a CUDA build of libtorch (LIBTORCH=…); skipped on CPU-only libtorch.</summary>
    public const string Cuda = "Cuda";
}
