using DiffusionCore.Torch.Imaging;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Torch.Tests.Imaging;

public class ImageCodecTests
{
    private static Tensor Pattern(int channels, int height, int width, int seed = 1)
    {
        using var g = new Generator((ulong)seed);
        return Tensor.RandInt(0, 256, [channels, height, width], g, DType.UInt8);
    }

    private static Tensor Smooth(int channels, int height, int width)
    {
        // A smooth gradient: JPEG reproduces it closely, unlike noise.
        using var y = Tensor.Linspace(0, 200, height).View(1, height, 1);
        using var x = Tensor.Linspace(0, 50, width).View(1, 1, width);
        using var c = Tensor.Linspace(0, 5, channels).View(channels, 1, 1);
        using var sum = y + x + c;
        return sum.Round().To(DType.UInt8);
    }

    private static long MaxAbsDiff(Tensor a, Tensor b)
    {
        using var fa = a.To(DType.Int64);
        using var fb = b.To(DType.Int64);
        using var d = (fa - fb).Abs().Max();
        return d.ToInt64();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Png_round_trip_is_exact(int channels)
    {
        using var scope = new TensorScope();
        var image = Pattern(channels, 17, 23);
        byte[] png = ImageCodec.EncodePng(image);
        png[..4].Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G');
        var decoded = ImageCodec.Decode(png);
        decoded.DType.Should().Be(DType.UInt8);
        decoded.Shape.Should().Equal(channels, 17, 23);
        MaxAbsDiff(decoded, image).Should().Be(0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Jpeg_with_known_content_decodes_close(int channels)
    {
        using var scope = new TensorScope();
        var image = Smooth(channels, 32, 48);
        byte[] jpeg = ImageCodec.EncodeJpeg(image, quality: 95);
        jpeg[..3].Should().Equal(0xFF, 0xD8, 0xFF);
        var decoded = ImageCodec.Decode(jpeg);
        decoded.Shape.Should().Equal(channels, 32, 48);
        MaxAbsDiff(decoded, image).Should().BeLessThanOrEqualTo(8);
        using var mean = (decoded.To(DType.Float32) - image.To(DType.Float32)).Abs().Mean();
        mean.ToDouble().Should().BeLessThan(1.5);
    }

    [Fact]
    public void File_round_trip_through_WritePng_and_DecodeFile()
    {
        using var scope = new TensorScope();
        string path = Path.Combine(Path.GetTempPath(), $"dc-codec-{Guid.NewGuid():N}.png");
        try
        {
            var image = Pattern(3, 8, 8);
            ImageCodec.WritePng(image, path);
            MaxAbsDiff(ImageCodec.DecodeFile(path), image).Should().Be(0);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Corrupt_and_foreign_bytes_throw_a_clear_exception()
    {
        using var scope = new TensorScope();
        byte[] png = ImageCodec.EncodePng(Pattern(3, 64, 64));
        byte[] jpeg = ImageCodec.EncodeJpeg(Smooth(3, 64, 64));

        var cases = new (byte[] Bytes, string Message)[]
        {
            ("hello world, not an image"u8.ToArray(), "*not a PNG or JPEG*"),
            (png[..(png.Length / 2)], "*invalid PNG*"),
            (jpeg[..(jpeg.Length / 2)], "*invalid JPEG*"),
            (png[..8], "*invalid PNG*"),
        };
        foreach (var (bytes, message) in cases)
        {
            var act = () => ImageCodec.Decode(bytes);
            act.Should().Throw<ImageDecodeException>().WithMessage(message);
        }

        byte[] garbled = (byte[])png.Clone();
        for (int i = 40; i < garbled.Length; i += 7) garbled[i] ^= 0xA5;
        var garbledAct = () => ImageCodec.Decode(garbled);
        garbledAct.Should().Throw<ImageDecodeException>();

        var empty = () => ImageCodec.Decode([]);
        empty.Should().Throw<ImageDecodeException>();
    }

    [Fact]
    public void Corrupt_file_names_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"dc-codec-{Guid.NewGuid():N}.png");
        try
        {
            File.WriteAllBytes(path, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]);
            var act = () => ImageCodec.DecodeFile(path);
            act.Should().Throw<ImageDecodeException>().Which.Path.Should().Be(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Encoding_rejects_wrong_dtype_rank_and_channels()
    {
        using var scope = new TensorScope();
        var act = () => ImageCodec.EncodePng(Tensor.Zeros([3, 4, 4]));
        act.Should().Throw<TorchArgumentException>().WithMessage("*uint8*");
        act = () => ImageCodec.EncodePng(Tensor.Zeros([4, 4], DType.UInt8));
        act.Should().Throw<TorchArgumentException>().WithMessage("*[C, H, W]*");
        act = () => ImageCodec.EncodePng(Tensor.Zeros([5, 4, 4], DType.UInt8));
        act.Should().Throw<TorchArgumentException>().WithMessage("*channels*");
        act = () => ImageCodec.EncodeJpeg(Tensor.Zeros([4, 4, 4], DType.UInt8));
        act.Should().Throw<TorchArgumentException>().WithMessage("*channels*");
    }

    [Fact]
    public void Channel_conversions_grey_rgb_and_alpha()
    {
        using var scope = new TensorScope();
        var rgba = Tensor.FromArray(new byte[] { 255, 0, 0, 128, 0, 255, 0, 128, 0, 0, 255, 128, 7, 7, 7, 7 }, 4, 2, 2);
        // pixels: pure R, pure G, pure B, grey 128 (alpha 7) → luma round(0.299·255)=76, round(0.587·255)=150, round(0.114·255)=29, 128
        var grey = ImageChannels.Convert(rgba, 1);
        grey.Shape.Should().Equal(1, 2, 2);
        grey.ToArray<byte>().Should().Equal(76, 150, 29, 128);
        ImageChannels.Convert(rgba, 3).ToArray<byte>().Should().Equal(rgba.Narrow(0, 0, 3).Contiguous().ToArray<byte>());

        var ga = Tensor.FromArray(new byte[] { 10, 20, 200, 200 }, 2, 1, 2);
        ImageChannels.Convert(ga, 1).Contiguous().ToArray<byte>().Should().Equal(10, 20);
        ImageChannels.Convert(ga, 3).ToArray<byte>().Should().Equal(10, 20, 10, 20, 10, 20);

        // Batched input converts along dimension 1.
        var batch = Tensor.Stack([rgba, rgba]);
        ImageChannels.Convert(batch, 1).Shape.Should().Equal(2, 1, 2, 2);

        var bad = () => ImageChannels.Convert(rgba, 2);
        bad.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Decoded_png_keeps_its_channel_layout()
    {
        using var scope = new TensorScope();
        foreach (int c in new[] { 1, 2, 3, 4 })
        {
            ImageCodec.Decode(ImageCodec.EncodePng(Pattern(c, 3, 5))).Size(0).Should().Be(c);
        }
    }

    [Fact]
    public void Pixel_range_conversions_round_trip()
    {
        using var scope = new TensorScope();
        var bytes = Tensor.Arange(0, 256, 1, DType.UInt8);
        var signed = ImagePixels.ToSignedUnit(bytes);
        signed.Min().ToDouble().Should().Be(-1);
        signed.Max().ToDouble().Should().Be(1);
        ImagePixels.FromSignedUnit(signed).ToArray<byte>().Should().Equal(bytes.ToArray<byte>());
    }

    [Fact]
    public void Area_interpolation_averages_blocks()
    {
        using var scope = new TensorScope();
        var x = Tensor.Arange(16, DType.Float32).Reshape(1, 1, 4, 4);
        var y = Functional.Interpolate(x, (2, 2), InterpolationMode.Area);
        y.ToArray<float>().Should().Equal(2.5f, 4.5f, 10.5f, 12.5f);
    }
}
