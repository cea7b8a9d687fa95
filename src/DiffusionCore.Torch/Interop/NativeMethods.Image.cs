using System.Runtime.InteropServices;

namespace DiffusionCore.Torch.Interop;

/// <summary>P/Invoke declarations of native/dc_image.cpp (PNG and JPEG codecs through libpng and libjpeg-turbo).</summary>
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int dc_image_decode(byte* data, long nbytes, out TensorHandle result);
    [LibraryImport(Lib)] internal static partial int dc_image_encode_png(TensorHandle t, out IntPtr data, out long nbytes);
    [LibraryImport(Lib)] internal static partial int dc_image_encode_jpeg(TensorHandle t, int quality, out IntPtr data, out long nbytes);
    [LibraryImport(Lib)] internal static partial void dc_image_buffer_free(IntPtr data);
}
