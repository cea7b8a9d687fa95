using DiffusionCore.Data.Imaging;
using DiffusionCore.Torch;

namespace DiffusionCore.Data.Tests.Imaging;

public sealed class ImageGridTests : IDisposable
{
    private readonly TensorScope _scope = new();

    public void Dispose() => _scope.Dispose();

    /// <summary>Three 1×2×2 uint8 images whose pixels are 10·k + (2·y + x).</summary>
    private static Tensor Images() => Tensor.FromArray(Enumerable.Range(0, 12).Select(i => (byte)((10 * (i / 4)) + (i % 4))).ToArray(), 3, 1, 2, 2);

    [Fact]
    public void Every_image_lands_in_its_cell_with_padding_and_empty_cells_in_the_background()
    {
        Tensor grid = ImageGrid.Tile(Images(), columns: 2, padding: 1);
        grid.Shape.Should().Equal(1, 7, 7);
        byte[] g = grid.ToArray<byte>();
        byte At(int y, int x) => g[(y * 7) + x];
        for (int k = 0; k < 4; k++)
        {
            int top = 1 + ((k / 2) * 3), left = 1 + ((k % 2) * 3);
            for (int y = 0; y < 2; y++)
            {
                for (int x = 0; x < 2; x++)
                {
                    At(top + y, left + x).Should().Be(k < 3 ? (byte)((10 * k) + (2 * y) + x) : ImageGrid.Background, $"image {k} pixel ({y}, {x})");
                }
            }
        }

        foreach (int line in new[] { 0, 3, 6 })
        {
            Enumerable.Range(0, 7).Select(x => At(line, x)).Should().AllBeEquivalentTo(ImageGrid.Background, "row {0} is padding", line);
            Enumerable.Range(0, 7).Select(y => At(y, line)).Should().AllBeEquivalentTo(ImageGrid.Background, "column {0} is padding", line);
        }
    }

    [Fact]
    public void Float_images_are_read_in_minus_one_to_one_and_fewer_images_than_columns_give_one_row()
    {
        Tensor images = Tensor.FromArray(new float[] { -1, 1, 0, 0.5f }, 2, 1, 1, 2);
        Tensor grid = ImageGrid.Tile(images, columns: 5, padding: 0);
        grid.Shape.Should().Equal(1, 1, 4);
        grid.ToArray<byte>().Should().Equal(0, 255, 128, 191);
    }

    [Fact]
    public void WritePng_writes_a_png_of_the_grid_size()
    {
        string dir = Directory.CreateTempSubdirectory("dc-grid-").FullName;
        try
        {
            string path = Path.Combine(dir, "sub", "grid.png");
            ImageGrid.WritePng(Tensor.Zeros([5, 3, 4, 6]), path, columns: 3);
            Tensor decoded = ImageCodec.DecodeFile(path);
            decoded.Shape.Should().Equal(3, (2 * (4 + 2)) + 2, (3 * (6 + 2)) + 2);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Bad_input_is_a_clear_error()
    {
        FluentActions.Invoking(() => ImageGrid.Tile(Tensor.Zeros([2, 2, 2]), 2)).Should().Throw<ArgumentException>().WithMessage("*[N, C, H, W]*got [2, 2, 2]*");
        FluentActions.Invoking(() => ImageGrid.Tile(Tensor.Zeros([1, 1, 2, 2]), 0)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
