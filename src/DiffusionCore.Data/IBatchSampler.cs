namespace DiffusionCore.Data;

/// <summary>
/// The data order of a run as a pure function of the images seen, so a resumed run continues the same order (the
/// trainer's default, <c>SeededPermutationSampler</c> in DiffusionCore.Training, derives each epoch's permutation from
/// the run seed; <see cref="BatchSampler"/> is the stand-alone, stateful sampler of this package).
/// </summary>
public interface IBatchSampler
{
    /// <summary>Fills <paramref name="indices"/> with the dataset indices of images <paramref name="imagesSeen"/>, <paramref name="imagesSeen"/>+1, ….</summary>
    void Fill(long imagesSeen, Span<int> indices);
}
