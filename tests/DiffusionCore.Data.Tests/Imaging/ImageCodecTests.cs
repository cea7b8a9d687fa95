using DiffusionCore.Data.Imaging;
using DiffusionCore.Torch;

namespace DiffusionCore.Data.Tests.Imaging;

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
    public void Grey_alpha_is_written_as_rgba_with_equal_colour_channels()
    {
        using var scope = new TensorScope();
        var image = Pattern(2, 5, 7);
        var decoded = ImageCodec.Decode(ImageCodec.EncodePng(image));
        decoded.Shape.Should().Equal(4, 5, 7);
        for (int c = 0; c < 3; c++) MaxAbsDiff(decoded[c], image[0]).Should().Be(0);
        MaxAbsDiff(decoded[3], image[1]).Should().Be(0);
    }

    [Fact]
    public void Encoding_rejects_wrong_dtype_rank_and_channels()
    {
        using var scope = new TensorScope();
        var act = () => ImageCodec.EncodePng(Tensor.Zeros([3, 4, 4]));
        act.Should().Throw<ArgumentException>().WithMessage("*uint8*");
        act = () => ImageCodec.EncodePng(Tensor.Zeros([4, 4], DType.UInt8));
        act.Should().Throw<ArgumentException>().WithMessage("*[C, H, W]*");
        act = () => ImageCodec.EncodePng(Tensor.Zeros([5, 4, 4], DType.UInt8));
        act.Should().Throw<ArgumentException>().WithMessage("*channels*");
        act = () => ImageCodec.EncodePng(Tensor.Zeros([1, 0, 4], DType.UInt8));
        act.Should().Throw<ArgumentException>().WithMessage("*pixels per side*");
        act = () => ImageCodec.EncodeJpeg(Tensor.Zeros([4, 4, 4], DType.UInt8));
        act.Should().Throw<ArgumentException>().WithMessage("*channels*");
        act = () => ImageCodec.EncodeJpeg(Tensor.Zeros([2, 4, 4], DType.UInt8));
        act.Should().Throw<ArgumentException>().WithMessage("*no alpha*");
        act = () => ImageCodec.EncodeJpeg(Tensor.Zeros([3, 4, 4], DType.UInt8), quality: 0);
        act.Should().Throw<ArgumentOutOfRangeException>();
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
        foreach (int c in new[] { 1, 3, 4 })
        {
            ImageCodec.Decode(ImageCodec.EncodePng(Pattern(c, 3, 5))).Size(0).Should().Be(c);
        }
    }

    public static TheoryData<string, byte[], long[], byte[]> StoredLayouts => new()
    {
        // name, PNG bytes (2 × 1 pixels), decoded shape [C, H, W], decoded bytes (channel planes)
        { "grey", PngBytes.Build(2, 1, PngBytes.Grey, 8, [10, 200]), [1, 1, 2], [10, 200] },
        { "grey+alpha", PngBytes.Build(2, 1, PngBytes.GreyAlpha, 8, [10, 20, 200, 100]), [2, 1, 2], [10, 200, 20, 100] },
        { "RGB", PngBytes.Build(2, 1, PngBytes.Rgb, 8, [1, 2, 3, 4, 5, 6]), [3, 1, 2], [1, 4, 2, 5, 3, 6] },
        { "RGBA", PngBytes.Build(2, 1, PngBytes.Rgba, 8, [1, 2, 3, 40, 4, 5, 6, 255]), [4, 1, 2], [1, 4, 2, 5, 3, 6, 40, 255] },
        { "palette", PngBytes.Build(2, 1, PngBytes.Palette, 8, [0, 1], palette: [9, 8, 7, 1, 2, 3]), [3, 1, 2], [9, 1, 8, 2, 7, 3] },
        { "palette+tRNS", PngBytes.Build(2, 1, PngBytes.Palette, 8, [0, 1], palette: [9, 8, 7, 1, 2, 3], transparency: [128]), [4, 1, 2], [9, 1, 8, 2, 7, 3, 128, 255] },
        { "grey+tRNS", PngBytes.Build(2, 1, PngBytes.Grey, 8, [10, 200], transparency: [0, 10]), [2, 1, 2], [10, 200, 0, 255] },
        { "grey 1 bit", PngBytes.Build(8, 1, PngBytes.Grey, 1, [0b10110000]), [1, 1, 8], [255, 0, 255, 255, 0, 0, 0, 0] },
        { "grey 16 bit", PngBytes.Build(2, 1, PngBytes.Grey, 16, [0x12, 0x34, 0xAB, 0xCD]), [1, 1, 2], [0x12, 0xAB] },
    };

    [Theory]
    [MemberData(nameof(StoredLayouts))]
    public void Decoding_keeps_the_stored_layout_and_values(string name, byte[] png, long[] shape, byte[] expected)
    {
        using var scope = new TensorScope();
        var decoded = ImageCodec.Decode(png);
        decoded.Shape.Should().Equal(shape, name);
        decoded.ToArray<byte>().Should().Equal(expected, name);
    }

    [Fact]
    public void A_header_declaring_more_than_a_gibibyte_of_pixels_is_refused()
    {
        byte[] huge = PngBytes.Build(40_000, 40_000, PngBytes.Rgba, 8, new byte[4 * 40_000]);  // 6.4 GB of RGBA, one row stored
        var act = () => ImageCodec.Decode(huge);
        act.Should().Throw<ImageDecodeException>().WithMessage("*too large*40000 x 40000*");
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
}
