using System.Globalization;

namespace DiffusionCore.Training.Ema;

/// <summary>Argument checks and invariant number formatting shared by the EMA trackers, snapshots and post-hoc EMA.</summary>
internal static class EmaArguments
{
    public static void ValidateStep(long imagesSeen, long batchImages)
    {
        if (batchImages <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchImages), batchImages, $"The batch must hold at least one image; got {batchImages}.");
        }

        if (imagesSeen < batchImages)
        {
            throw new ArgumentOutOfRangeException(nameof(imagesSeen), imagesSeen,
                $"imagesSeen is the number of images seen after this step, so it cannot be less than the batch ({batchImages}); got {imagesSeen}.");
        }
    }

    /// <summary>A double written so that <see cref="ParseDouble"/> gives back the same bits.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static double ParseDouble(string text, string what) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new InvalidDataException($"{what} = '{text}' is not a number.");

    public static long ParseInt64(string text, string what) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new InvalidDataException($"{what} = '{text}' is not an integer.");
}
