namespace DiffusionCore.Training;

/// <summary>
/// The data order of a run as a pure function of the images seen, so a resumed run continues the same order.
/// </summary>
public interface IBatchSampler
{
    /// <summary>Fills <paramref name="indices"/> with the dataset indices of images <paramref name="imagesSeen"/>, <paramref name="imagesSeen"/>+1, ….</summary>
    void Fill(long imagesSeen, Span<int> indices);
}
