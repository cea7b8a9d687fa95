namespace DiffusionCore.Data;

/// <summary>How an image folder's pictures are brought to the square training resolution.</summary>
public enum ImageFitMode
{
    /// <summary>Crop the largest centred square, then resize it (EDM's dataset_tool "center-crop"); keeps the aspect ratio.</summary>
    CenterCrop = 0,

    /// <summary>Resize the whole picture to the square, distorting non-square pictures.</summary>
    Stretch = 1,
}
