namespace DiffusionCore.Data;

/// <summary>What <see cref="BatchSampler"/> does with the images of an epoch that do not fill a whole batch.</summary>
public enum BatchTail
{
    /// <summary>
    /// The index stream is the concatenation of the epochs' permutations and a batch may span two epochs; every image is
    /// used exactly once per epoch and any images-seen position is valid, even after a batch-size change (the default,
    /// like EDM's infinite sampler).
    /// </summary>
    Wrap = 0,

    /// <summary>
    /// Each epoch yields ⌊Count / BatchSize⌋ whole batches of its own permutation and drops the remaining images
    /// (different ones every epoch); positions must be whole batches.
    /// </summary>
    DropLast = 1,
}
