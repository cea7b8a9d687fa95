using DiffusionCore.Data;

namespace DiffusionCore.TestSupport;

/// <summary>
/// The precondition of the <see cref="TestCategory.Dataset"/> tests: Fashion-MNIST as installed by the Debian package
/// dataset-fashion-mnist (eng/ensure-deps.sh installs it). Without it those tests are reported as skipped, with the
/// loader's own message (which names the package) as the reason.
/// </summary>
internal static class FashionMnistData
{
    private static readonly Lazy<string?> s_missingReason = new(FindMissingReason);

    /// <summary>Skips the calling <c>[SkippableFact]</c> or <c>[SkippableTheory]</c> test when either split is missing.</summary>
    public static void SkipIfMissing() => Skip.If(s_missingReason.Value is not null, s_missingReason.Value);

    private static string? FindMissingReason()
    {
        foreach (FashionMnistSplit split in new[] { FashionMnistSplit.Train, FashionMnistSplit.Test })
        {
            try
            {
                FashionMnistDataset.Load(new FashionMnistOptions { Split = split, MaxCount = 1 });
            }
            catch (DatasetNotFoundException ex)
            {
                return ex.Message;
            }
        }

        return null;
    }
}
