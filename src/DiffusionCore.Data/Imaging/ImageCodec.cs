using DiffusionCore.Torch;
using SkiaSharp;

namespace DiffusionCore.Data.Imaging;

/// <summary>
/// PNG and JPEG reading and writing through SkiaSharp (Skia's libpng and libjpeg-turbo, shipped in the package
/// SkiaSharp.NativeAssets.Linux.NoDependencies). Images cross as uint8 tensors [C, H, W] in the file's own channel
/// layout: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. Pixels are taken as stored: no colour-space or gamma conversion, 16-bit
/// channels are reduced to their high byte, EXIF orientation is not applied. Use <see cref="ImageChannels.Convert"/>
/// to reach a fixed channel count and <see cref="ImagePixels"/> to move between uint8 and the [−1, 1] float range of
/// the EDM convention (docs/data.md, "Reading and writing images").
/// </summary>
public static partial class ImageCodec
{
    /// <summary>Refuse to decode more than 1 GiB of pixels: a corrupt or hostile header must not exhaust memory.</summary>
    private const long MaxDecodedBytes = 1L << 30;

    /// <summary>The words of the <see cref="Decode(ReadOnlySpan{byte}, long)"/> error for a picture over the pixel limit.</summary>
    internal const string OverPixelLimit = "more than the limit of";

    /// <summary>Decodes PNG or JPEG bytes (recognised by their signature, not a file name) into uint8 [C, H, W].</summary>
    /// <exception cref="ImageDecodeException">The bytes are not a PNG/JPEG, or are truncated or corrupt.</exception>
    public static Tensor Decode(ReadOnlySpan<byte> data) => Decode(data, long.MaxValue);

    /// <summary>
    /// Decodes PNG or JPEG bytes into uint8 [C, H, W], refusing, from the header alone and before any pixel memory is
    /// taken, a picture of more than <paramref name="maxPixels"/> pixels (a small file can hold a huge picture: a
    /// 746 KB PNG of 16000 × 16000 decodes to 1 GB).
    /// </summary>
    /// <param name="data">The PNG or JPEG bytes.</param>
    /// <param name="maxPixels">The largest width × height accepted.</param>
    /// <exception cref="ImageDecodeException">
    /// The bytes are not a PNG/JPEG, are truncated or corrupt, or the picture has more than <paramref name="maxPixels"/> pixels.
    /// </exception>
    public static Tensor Decode(ReadOnlySpan<byte> data, long maxPixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPixels);
        if (data.IsEmpty)
        {
            throw new ImageDecodeException("The image data is empty.");
        }

        string kind = IsPng(data) ? "PNG" : IsJpeg(data) ? "JPEG" : throw new ImageDecodeException("not a PNG or JPEG file (unrecognised signature).");
        using SKData copy = SKData.CreateCopy(data);
        using var stream = new SKMemoryStream(copy);
        using SKCodec? codec = SKCodec.Create(stream, out SKCodecResult opened);
        if (codec is null)
        {
            throw new ImageDecodeException($"invalid {kind}: {Describe(opened)}.");
        }

        SKImageInfo stored = codec.Info;
        if ((long)stored.Width * stored.Height > maxPixels)
        {
            throw new ImageDecodeException($"the {kind} has {stored.Width} x {stored.Height} = {(long)stored.Width * stored.Height:N0} pixels, {OverPixelLimit} {maxPixels:N0}.");
        }

        bool grey = stored.ColorType == SKColorType.Gray8;
        int stride = grey ? 1 : 4;
        if ((long)stored.Width * stored.Height * stride > MaxDecodedBytes)
        {
            throw new ImageDecodeException($"the {kind} is too large to decode ({stored.Width} x {stored.Height}).");
        }

        // No colour space in the target: Skia then converts nothing, so the bytes are the file's own values.
        var target = new SKImageInfo(stored.Width, stored.Height, grey ? SKColorType.Gray8 : SKColorType.Rgba8888, grey ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        SKCodecResult result = codec.GetPixels(target, out byte[] pixels);
        if (result != SKCodecResult.Success)
        {
            throw new ImageDecodeException($"invalid {kind}: {Describe(result)}.");
        }

        int channels = grey ? 1 : kind == "PNG" ? PngChannels(data, stored.AlphaType) : 3;
        return ToChannelsFirst(pixels, stored.Height, stored.Width, stride, channels);
    }

    /// <summary>Reads and decodes a PNG or JPEG file into uint8 [C, H, W].</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageDecodeException">The file is not a PNG/JPEG, or is truncated or corrupt; the message names it.</exception>
    public static Tensor DecodeFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return Decode(bytes);
        }
        catch (ImageDecodeException e)
        {
            throw new ImageDecodeException(path, e.Message, e);
        }
    }

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static bool IsPng(ReadOnlySpan<byte> d) => d.StartsWith(PngSignature);

    private static bool IsJpeg(ReadOnlySpan<byte> d) => d.Length >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF;

    /// <summary>
    /// The channel layout a PNG stores, from the colour type in its IHDR chunk (flag 2: colour, flag 4: alpha) and, for
    /// transparency given by a tRNS chunk, Skia's alpha type: grey 1, grey+alpha 2, RGB or palette 3, with alpha 4.
    /// </summary>
    private static int PngChannels(ReadOnlySpan<byte> data, SKAlphaType alpha)
    {
        const int ColourTypeOffset = 8 + 4 + 4 + 8 + 1;  // signature, chunk length, "IHDR", width and height, bit depth
        byte colourType = data.Length > ColourTypeOffset ? data[ColourTypeOffset] : (byte)0;
        bool colour = (colourType & 2) != 0;
        bool hasAlpha = (colourType & 4) != 0 || alpha != SKAlphaType.Opaque;
        return (colour ? 3 : 1) + (hasAlpha ? 1 : 0);
    }

    /// <summary>Decoded rows [H, W, stride] → uint8 [channels, H, W] (grey+alpha keeps the first and the alpha byte of RGBA).</summary>
    private static Tensor ToChannelsFirst(byte[] pixels, int height, int width, int stride, int channels)
    {
        using Tensor rows = Tensor.FromSpan<byte>(pixels, [height, width, stride]);
        using Tensor planes = rows.Permute(2, 0, 1);
        if (channels == stride)
        {
            return planes.Contiguous();
        }

        if (channels == 2)
        {
            using Tensor grey = planes.Narrow(0, 0, 1);
            using Tensor alpha = planes.Narrow(0, 3, 1);
            return Tensor.Cat([grey, alpha], 0);
        }

        using Tensor kept = planes.Narrow(0, 0, channels);
        return kept.Contiguous();
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "the data is truncated",
        SKCodecResult.ErrorInInput => "the data is corrupt",
        SKCodecResult.InvalidInput => "the data is not a valid image",
        SKCodecResult.Unimplemented => "this variant of the format is not supported",
        SKCodecResult.InternalError => "the decoder failed",
        _ => $"the decoder reported {result}",
    };
}
