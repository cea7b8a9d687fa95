using DiffusionCore.Data;
using DiffusionCore.Data.Imaging;
using DiffusionCore.Torch;

namespace DiffusionCore.Data.Tests;

public sealed class ImageFolderDatasetTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dc-folder-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    private void WritePng(string relative, Tensor image)
    {
        string path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ImageCodec.WritePng(image, path);
    }

    private static Tensor Solid(int channels, int height, int width, byte value) =>
        Tensor.Full([channels, height, width], value, DType.UInt8);

    [Fact]
    public void Reads_labels_from_dataset_json_in_path_order()
    {
        using var scope = new TensorScope();
        WritePng("b/1.png", Solid(3, 8, 8, 255));
        WritePng("a/0.png", Solid(3, 8, 8, 0));
        WritePng("a/2.png", Solid(1, 8, 8, 128));
        File.WriteAllText(Path.Combine(_root, "dataset.json"), """{"labels": [["a/0.png", 4], ["a/2.png", 1], ["b/1.png", 0]]}""");

        var ds = ImageFolderDataset.Load(new() { Root = _root, Resolution = 8 });
        ds.Count.Should().Be(3);
        ds.Files.Select(Path.GetFileName).Should().Equal("0.png", "2.png", "1.png");
        (ds.Channels, ds.Height, ds.Width, ds.LabelCount).Should().Be((3, 8, 8, 5));
        ds.CachedBytes.Should().Be(3 * 3 * 8 * 8);

        var batch = ds.ReadBatch([2, 0, 1]);
        batch.Labels!.ToArray<long>().Should().Equal(0, 4, 1);
        batch.Images.Shape.Should().Equal(3, 3, 8, 8);
        batch.Images[0].Min().ToDouble().Should().Be(1);
        batch.Images[1].Max().ToDouble().Should().Be(-1);
        batch.Images[2].Mean().ToDouble().Should().BeApproximately(128 / 127.5 - 1, 1e-6); // grey → RGB
    }

    [Fact]
    public void Without_labels_file_the_dataset_is_unlabelled_and_jpeg_is_read()
    {
        using var scope = new TensorScope();
        File.WriteAllBytes(Path.Combine(_root, "x.JPG"), ImageCodec.EncodeJpeg(Solid(3, 16, 16, 200)));
        var ds = ImageFolderDataset.Load(new() { Root = _root, Resolution = 4, Channels = 1, CacheImages = false });
        ds.LabelCount.Should().Be(0);
        ds.CachedBytes.Should().Be(0);
        var batch = ds.ReadBatch([0]);
        batch.Labels.Should().BeNull();
        batch.Images.Shape.Should().Equal(1, 1, 4, 4);
        batch.Images.Mean().ToDouble().Should().BeApproximately(200 / 127.5 - 1, 0.03);
    }

    [Fact]
    public void Center_crop_keeps_the_middle_square_and_resizes()
    {
        using var scope = new TensorScope();
        // 4 rows × 12 columns: left and right thirds black, middle white → crop keeps the white middle 4×4.
        var image = Tensor.Zeros([1, 4, 12], DType.UInt8);
        image.Narrow(2, 4, 4).FillInPlace(255);
        WritePng("wide.png", image);
        var crop = ImageFolderDataset.Load(new() { Root = _root, Resolution = 2, Channels = 1 });
        crop.ReadBatch([0]).Images.Min().ToDouble().Should().Be(1);

        var stretch = ImageFolderDataset.Load(new() { Root = _root, Resolution = 3, Channels = 1, Fit = ImageFitMode.Stretch });
        stretch.ReadBatch([0]).Images.ToArray<float>().Select(v => (int)Math.Round((v + 1) * 127.5))
            .Should().Equal(0, 255, 0, 0, 255, 0, 0, 255, 0);
    }

    [Fact]
    public void Corrupt_file_fails_by_default_naming_it()
    {
        using var scope = new TensorScope();
        WritePng("good.png", Solid(3, 4, 4, 9));
        File.WriteAllBytes(Path.Combine(_root, "broken.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var act = () => ImageFolderDataset.Load(new() { Root = _root, Resolution = 4 });
        act.Should().Throw<DatasetFormatException>()
            .Where(e => e.Path!.EndsWith("broken.png", StringComparison.Ordinal))
            .WithMessage("*broken.png*CorruptImagePolicy.Skip*");
    }

    [Fact]
    public void Corrupt_file_is_skipped_and_summarised_under_skip_policy()
    {
        using var scope = new TensorScope();
        WritePng("good.png", Solid(3, 4, 4, 9));
        File.WriteAllText(Path.Combine(_root, "fake.jpg"), "not a jpeg");
        var ds = ImageFolderDataset.Load(new() { Root = _root, Resolution = 4, OnCorruptImage = CorruptImagePolicy.Skip });
        ds.Count.Should().Be(1);
        ds.Skipped.Should().ContainSingle().Which.Path.Should().EndWith("fake.jpg");
        ds.DescribeSkipped().Should().Contain("fake.jpg").And.Contain("Skipped 1");
    }

    [Fact]
    public void Missing_folder_empty_folder_and_missing_label_are_reported()
    {
        var act = () => ImageFolderDataset.Load(new() { Root = Path.Combine(_root, "nope"), Resolution = 4 });
        act.Should().Throw<DatasetNotFoundException>().WithMessage("*does not exist*");
        act = () => ImageFolderDataset.Load(new() { Root = _root, Resolution = 4 });
        act.Should().Throw<DatasetNotFoundException>().WithMessage("*no PNG or JPEG*");

        using var scope = new TensorScope();
        WritePng("a.png", Solid(3, 4, 4, 1));
        File.WriteAllText(Path.Combine(_root, "dataset.json"), """{"labels": [["other.png", 1]]}""");
        act.Should().Throw<DatasetFormatException>().WithMessage("*no label for the image \"a.png\"*");
        File.WriteAllText(Path.Combine(_root, "dataset.json"), """{"labels": [["a.png", -1]]}""");
        act.Should().Throw<DatasetFormatException>().WithMessage("*labels[0]*");
        File.WriteAllText(Path.Combine(_root, "dataset.json"), """{"labels": null}""");
        ImageFolderDataset.Load(new() { Root = _root, Resolution = 4 }).LabelCount.Should().Be(0);
    }

    [Theory]
    [InlineData("2147483647", "*\"b.png\" the label 2147483647, above the limit of 999999*")]
    [InlineData("5000000", "*\"b.png\" the label 5000000, above the limit*")]
    [InlineData("1e30", "*labels[1] is [\"b.png\", 1e30]*")]
    [InlineData("9223372036854775808", "*labels[1]*non-negative integer*")]
    public void Labels_beyond_the_bound_are_rejected_naming_the_entry(string label, string message)
    {
        using var scope = new TensorScope();
        WritePng("a.png", Solid(3, 4, 4, 1));
        WritePng("b.png", Solid(3, 4, 4, 2));
        File.WriteAllText(Path.Combine(_root, "dataset.json"), $$"""{"labels": [["a.png", 0], ["b.png", {{label}}]]}""");
        var act = () => ImageFolderDataset.Load(new() { Root = _root, Resolution = 4 });
        act.Should().Throw<DatasetFormatException>().WithMessage(message).And.Message.Should().Contain("dataset.json");
    }

    [Fact]
    public void The_largest_accepted_label_gives_a_label_count_of_one_million()
    {
        using var scope = new TensorScope();
        WritePng("a.png", Solid(3, 4, 4, 1));
        File.WriteAllText(Path.Combine(_root, "dataset.json"), """{"labels": [["a.png", 999999]]}""");
        ImageFolderDataset.Load(new() { Root = _root, Resolution = 4 }).LabelCount.Should().Be(1_000_000);
    }

    [Fact]
    public async Task Directory_links_back_into_the_tree_neither_loop_nor_repeat_images()
    {
        using (new TensorScope())
        {
            WritePng("a/0.png", Solid(3, 4, 4, 0));
            WritePng("a/1.png", Solid(3, 4, 4, 1));
            WritePng("b/2.png", Solid(3, 4, 4, 2));
        }

        Directory.CreateSymbolicLink(Path.Combine(_root, "a", "up"), "..");                  // the root: a cycle
        Directory.CreateSymbolicLink(Path.Combine(_root, "b", "self"), ".");                 // itself
        Directory.CreateSymbolicLink(Path.Combine(_root, "c"), Path.Combine(_root, "a"));    // a second name for a/
        File.CreateSymbolicLink(Path.Combine(_root, "b", "again.png"), Path.Combine(_root, "a", "0.png"));

        var load = Task.Run(() => ImageFolderDataset.Load(new() { Root = _root, Resolution = 4 }));
        var ds = await load.WaitAsync(TimeSpan.FromSeconds(30)); // TimeoutException when a link cycle makes Load run forever
        ds.Files.Select(f => Path.GetRelativePath(_root, f)).Should().Equal("a/0.png", "a/1.png", "b/2.png");
    }

    [Fact]
    public void Real_path_resolves_links_in_every_component()
    {
        Directory.CreateDirectory(Path.Combine(_root, "x", "y"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "l1"), "x");
        Directory.CreateSymbolicLink(Path.Combine(_root, "x", "l2"), "../l1/y");
        ImageFolderScan.RealPath(Path.Combine(_root, "l1", "l2")).Should().Be(ImageFolderScan.RealPath(Path.Combine(_root, "x", "y")));
        Directory.CreateSymbolicLink(Path.Combine(_root, "loop"), "loop");
        var act = () => ImageFolderScan.RealPath(Path.Combine(_root, "loop"));
        act.Should().Throw<IOException>().WithMessage("*link loop*");
    }

    [Fact]
    public void A_picture_over_the_pixel_limit_is_refused_from_its_header_naming_the_option()
    {
        File.WriteAllBytes(Path.Combine(_root, "huge.png"), PngHeaderOnly(16000, 16000));
        using (new TensorScope())
        {
            WritePng("small.png", Solid(3, 4, 4, 9));
        }

        var act = () => ImageFolderDataset.Load(new() { Root = _root, Resolution = 4 });
        act.Should().Throw<DatasetFormatException>()
            .WithMessage("*huge.png*16000 x 16000 = 256,000,000 pixels, more than the limit of 67,108,864*ImageFolderOptions.MaxImagePixels*");

        var ds = ImageFolderDataset.Load(new() { Root = _root, Resolution = 4, OnCorruptImage = CorruptImagePolicy.Skip, MaxImagePixels = 16 });
        ds.Files.Should().ContainSingle().Which.Should().EndWith("small.png");
        ds.Skipped.Should().ContainSingle().Which.Path.Should().EndWith("huge.png");
        File.Delete(Path.Combine(_root, "huge.png"));
        var tooSmall = () => ImageFolderDataset.Load(new() { Root = _root, Resolution = 4, MaxImagePixels = 15 });
        tooSmall.Should().Throw<DatasetFormatException>().WithMessage("*small.png*4 x 4 = 16 pixels, more than the limit of 15*");
    }

    /// <summary>A PNG signature, an RGB IHDR of the given size and an IDAT holding only the first row: enough for the header.</summary>
    private static byte[] PngHeaderOnly(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        byte[] header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;  // bit depth
        header[9] = 2;  // colour type RGB
        WriteChunk(png, "IHDR", header);
        using var row = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(row, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(new byte[1 + (3 * width)]);
        }

        WriteChunk(png, "IDAT", row.ToArray());
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        byte[] typed = [.. type.Select(c => (byte)c), .. data];
        Span<byte> number = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);
        png.Write(typed);
        uint crc = 0xFFFFFFFF;
        foreach (byte b in typed)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320 & (0u - (crc & 1)));
        }

        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(number, ~crc);
        png.Write(number);
    }
}
