using DiffusionCore.Torch;
using SkiaSharp;

namespace DiffusionCore.Data.Imaging;

public static partial class ImageCodec
{
    /// <summary>The largest side an encoded image may have (as the PNG and JPEG encoders of most tools accept).</summary>
    private const long MaxSide = 65535;

    /// <summary>
    /// Encodes a uint8 [C, H, W] tensor as PNG (lossless, zlib level 6): C = 1 grey, 3 RGB, 4 RGBA are stored as such;
    /// C = 2 (grey+alpha), which Skia has no pixel format for, is stored as RGBA with R = G = B = grey.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not uint8 [C, H, W] with 1 to 4 channels and 1 to 65535 pixels per side.</exception>
    public static byte[] EncodePng(Tensor image)
    {
        using SKBitmap bitmap = ToBitmap(image, maxChannels: 4, "PNG");
        return Encode(bitmap, SKEncodedImageFormat.Png, 100);
    }

    /// <summary>Encodes a uint8 [C, H, W] tensor (C = 1 grey or 3 RGB) as baseline JPEG of the given quality (1–100, 4:2:0 chroma).</summary>
    /// <exception cref="ArgumentException">The tensor is not uint8 [C, H, W] with 1 or 3 channels.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The quality is outside 1–100.</exception>
    public static byte[] EncodeJpeg(Tensor image, int quality = 95)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        using SKBitmap bitmap = ToBitmap(image, maxChannels: 3, "JPEG");
        return Encode(bitmap, SKEncodedImageFormat.Jpeg, quality);
    }

    /// <summary>Writes a uint8 [C, H, W] tensor to a PNG file (see <see cref="EncodePng"/>).</summary>
    public static void WritePng(Tensor image, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, EncodePng(image));
    }

    private static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality)
    {
        using SKData? data = bitmap.Encode(format, quality);
        return data?.ToArray() ?? throw new InvalidOperationException($"SkiaSharp could not encode a {bitmap.Width} x {bitmap.Height} {bitmap.ColorType} image as {format}.");
    }

    /// <summary>
    /// Validates [C, H, W] uint8 and lays the pixels out as Skia rows: grey as Gray8, everything else as RGBA8888
    /// (RGB with an opaque alpha byte, which the encoders then leave out; grey+alpha as grey, grey, grey, alpha).
    /// </summary>
    private static SKBitmap ToBitmap(Tensor image, int maxChannels, string format)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Dim != 3)
        {
            throw new ArgumentException($"{format} encoding expects a [C, H, W] tensor; got {image.Dim} dimensions [{string.Join(", ", image.Shape)}].", nameof(image));
        }

        if (image.DType != DType.UInt8)
        {
            throw new ArgumentException($"{format} encoding expects a uint8 tensor; got {image.DType}. Convert first, e.g. ImagePixels.FromSignedUnit(x) or x.Clamp(0, 255).To(DType.UInt8).", nameof(image));
        }

        long channels = image.Size(0), height = image.Size(1), width = image.Size(2);
        if (channels < 1 || channels > maxChannels || (format == "JPEG" && channels == 2))
        {
            string allowed = maxChannels == 4 ? "1 to 4 channels (grey, grey+alpha, RGB, RGBA)" : "1 (grey) or 3 (RGB) channels; JPEG holds no alpha";
            throw new ArgumentException($"{format} encoding supports {allowed}; got {channels} channels.", nameof(image));
        }

        if (height is < 1 or > MaxSide || width is < 1 or > MaxSide)
        {
            throw new ArgumentException($"{format} encoding needs 1 to {MaxSide} pixels per side; got {height} x {width}.", nameof(image));
        }

        bool grey = channels == 1;
        var info = new SKImageInfo((int)width, (int)height, grey ? SKColorType.Gray8 : SKColorType.Rgba8888, channels is 2 or 4 ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        var bitmap = new SKBitmap(info);
        try
        {
            using var scope = new TensorScope();
            Tensor planes = image.To(Device.Cpu);
            if (channels == 2)
            {
                planes = planes.IndexSelect(0, Tensor.FromArray(new long[] { 0, 0, 0, 1 }));
            }
            else if (channels == 3)
            {
                planes = Tensor.Cat([planes, Tensor.Full([1, height, width], 255, DType.UInt8)], 0);
            }

            planes.Permute(1, 2, 0).Contiguous().CopyTo(bitmap.GetPixelSpan());
            return bitmap;
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }
}
