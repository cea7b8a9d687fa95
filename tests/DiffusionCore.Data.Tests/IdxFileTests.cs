using DiffusionCore.Data;

namespace DiffusionCore.Data.Tests;

public class IdxFileTests
{
    [Fact]
    public void Reads_plain_and_gzipped_arrays()
    {
        byte[] plain = IdxBytes.Build([0, 0, 8, 2], [2, 3], 6);
        foreach (byte[] file in new[] { plain, IdxBytes.Gzip(plain) })
        {
            var array = IdxFile.Read(new MemoryStream(file), "x.idx");
            array.Dimensions.Should().Equal(2, 3);
            array.Data.ToArray().Should().Equal(7, 7, 7, 7, 7, 7);
        }
    }

    [SkippableFact]
    [Trait(TestCategory.Name, TestCategory.Dataset)]
    public void Reads_the_real_label_file_header()
    {
        FashionMnistData.SkipIfMissing();
        var labels = IdxFile.Read(Path.Combine(FashionMnistOptions.DefaultDirectory, "t10k-labels-idx1-ubyte.gz"));
        labels.Dimensions.Should().Equal(10000);
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 8, 1 }, "*magic*")]
    [InlineData(new byte[] { 0, 0, 0x0D, 1 }, "*type 0x0D*")]
    [InlineData(new byte[] { 0, 0, 8, 0 }, "*0 dimensions*")]
    public void Bad_magic_is_reported(byte[] magic, string message)
    {
        byte[] file = IdxBytes.Build(magic, [4], 4);
        var act = () => IdxFile.Read(new MemoryStream(file), "bad.idx");
        act.Should().Throw<DatasetFormatException>().WithMessage("bad.idx: " + message);
    }

    [Fact]
    public void Truncated_data_is_reported_with_sizes()
    {
        byte[] file = IdxBytes.Build([0, 0, 8, 3], [10, 28, 28], 10 * 784 - 5);
        var act = () => IdxFile.Read(new MemoryStream(file), "short.idx");
        act.Should().Throw<DatasetFormatException>().WithMessage("*truncated*7840 bytes*7835*");
    }

    [Fact]
    public void Truncated_header_and_empty_file_are_reported()
    {
        var act = () => IdxFile.Read(new MemoryStream([0, 0, 8, 3, 0, 0, 0, 1]), "h.idx");
        act.Should().Throw<DatasetFormatException>().WithMessage("*header is truncated*");
        act = () => IdxFile.Read(new MemoryStream([]), "e.idx");
        act.Should().Throw<DatasetFormatException>().WithMessage("*too short*");
    }

    [Fact]
    public void Trailing_data_and_zero_sizes_are_reported()
    {
        byte[] file = IdxBytes.Build([0, 0, 8, 1], [4], 5);
        var act = () => IdxFile.Read(new MemoryStream(file), "t.idx");
        act.Should().Throw<DatasetFormatException>().WithMessage("*data after*");
        act = () => IdxFile.Read(new MemoryStream(IdxBytes.Build([0, 0, 8, 2], [0, 4], 0)), "z.idx");
        act.Should().Throw<DatasetFormatException>().WithMessage("*size 0*");
    }

    [Fact]
    public void Damaged_gzip_stream_is_reported()
    {
        byte[] gz = IdxBytes.Gzip(IdxBytes.Build([0, 0, 8, 3], [100, 28, 28], 100 * 784));
        byte[] cut = gz[..(gz.Length / 2)];
        var act = () => IdxFile.Read(new MemoryStream(cut), "cut.gz");
        act.Should().Throw<DatasetFormatException>().WithMessage("cut.gz: *");
        byte[] garbled = (byte[])gz.Clone();
        for (int i = 12; i < garbled.Length - 8; i += 3) garbled[i] ^= 0x5A;
        act = () => IdxFile.Read(new MemoryStream(garbled), "garbled.gz");
        act.Should().Throw<DatasetFormatException>().WithMessage("garbled.gz: *");
    }

    [Fact]
    public void Missing_file_is_a_not_found_error()
    {
        var act = () => IdxFile.Read("/nonexistent/file.idx");
        act.Should().Throw<DatasetNotFoundException>().WithMessage("*/nonexistent/file.idx*");
    }
}
