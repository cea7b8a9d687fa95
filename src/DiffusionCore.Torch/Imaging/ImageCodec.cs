using System.Runtime.InteropServices;
using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch.Imaging;

/// <summary>
/// PNG and JPEG decoding and encoding in the native shim (libpng's simplified API and libjpeg-turbo; Debian packages
/// libpng-dev and libjpeg62-turbo-dev). Images cross as uint8 tensors [C, H, W] in the file's own channel layout:
/// 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. Use <see cref="ImageChannels.Convert"/> to reach a fixed channel count and
/// <see cref="ImagePixels"/> to move between uint8 and the [−1, 1] float range of the EDM convention.
/// </summary>
public static class ImageCodec
{
    /// <summary>Decodes PNG or JPEG bytes (recognised by their signature, not a file name) into uint8 [C, H, W].</summary>
    /// <exception cref="ImageDecodeException">The bytes are not a PNG/JPEG, or are truncated or corrupt.</exception>
    public static unsafe Tensor Decode(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw new ImageDecodeException("The image data is empty.");
        }

        int status;
        TensorHandle handle;
        fixed (byte* p = data)
        {
            status = NativeMethods.dc_image_decode(p, data.Length, out handle);
        }

        if (status == NativeStatus.Ok)
        {
            return Tensor.Wrap(status, handle);
        }

        handle.Dispose();
        Exception error = NativeStatus.Create(status);
        if (error is TorchArgumentException)
        {
            throw new ImageDecodeException(error.Message, error);
        }

        throw error;
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

    /// <summary>Encodes a uint8 [C, H, W] tensor (C = 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA) as PNG (lossless).</summary>
    /// <exception cref="TorchArgumentException">The tensor is not uint8 [C, H, W] with 1 to 4 channels.</exception>
    public static byte[] EncodePng(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        NativeStatus.Check(NativeMethods.dc_image_encode_png(image.Handle, out IntPtr data, out long length));
        return TakeBuffer(data, length);
    }

    /// <summary>Encodes a uint8 [C, H, W] tensor (C = 1 grey or 3 RGB) as baseline JPEG of the given quality (1–100).</summary>
    /// <exception cref="TorchArgumentException">The tensor is not uint8 [C, H, W] with 1 or 3 channels, or the quality is out of range.</exception>
    public static byte[] EncodeJpeg(Tensor image, int quality = 95)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        NativeStatus.Check(NativeMethods.dc_image_encode_jpeg(image.Handle, quality, out IntPtr data, out long length));
        return TakeBuffer(data, length);
    }

    /// <summary>Writes a uint8 [C, H, W] tensor to a PNG file (see <see cref="EncodePng"/>).</summary>
    public static void WritePng(Tensor image, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, EncodePng(image));
    }

    private static byte[] TakeBuffer(IntPtr data, long length)
    {
        try
        {
            var bytes = new byte[checked((int)length)];
            Marshal.Copy(data, bytes, 0, bytes.Length);
            return bytes;
        }
        finally
        {
            NativeMethods.dc_image_buffer_free(data);
        }
    }
}
