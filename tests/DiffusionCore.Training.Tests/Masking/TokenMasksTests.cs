using DiffusionCore.Torch;
using DiffusionCore.Training.Masking;

namespace DiffusionCore.Training.Tests.Masking;

/// <summary>MaskDM's mask generators (Lei et al. 2023, §3.2; docs/recipes.md §4).</summary>
public class TokenMasksTests
{
    private static long[][] Rows(Tensor kept)
    {
        long k = kept.Size(1);
        long[] flat = kept.ToArray<long>();
        return Enumerable.Range(0, (int)kept.Size(0)).Select(i => flat.Skip(i * (int)k).Take((int)k).ToArray()).ToArray();
    }

    [Theory]
    [InlineData(0.0, 64)]
    [InlineData(0.5, 32)]
    [InlineData(0.9, 7)]   // ⌊0.9·64⌋ = 57 masked
    [InlineData(0.99, 1)]
    public void Random_patches_mask_exactly_the_floor_of_ratio_times_tokens_in_every_sample(double ratio, int kept)
    {
        var options = new TokenMaskOptions { Kind = TokenMaskKind.RandomPatches, Ratio = ratio };
        using var g = new Generator(3);
        using var scope = new TensorScope();
        Tensor indices = TokenMasks.Draw(options, 16, 8, g);

        TokenMasks.KeptCount(options, 8).Should().Be(kept);
        indices.Shape.Should().Equal(16, kept);
        indices.DType.Should().Be(DType.Int64);
        foreach (long[] row in Rows(indices))
        {
            row.Should().OnlyHaveUniqueItems().And.BeInAscendingOrder().And.OnlyContain(t => t >= 0 && t < 64);
        }

        if (kept < 64) Rows(indices).Select(r => string.Join(",", r)).Distinct().Count().Should().BeGreaterThan(1, "each sample draws its own mask");
    }

    [Theory]
    [InlineData(2, 0.9, 8)]    // 16 blocks, ⌊14.4⌋ = 14 masked → 2 blocks of 4 tokens
    [InlineData(2, 0.5, 32)]
    [InlineData(4, 0.3, 48)]   // 4 blocks, ⌊1.2⌋ = 1 masked: 48 kept, where random patches would keep 64 − 19 = 45
    [InlineData(4, 0.9, 16)]   // ⌊3.6⌋ = 3 masked
    [InlineData(8, 0.9, 64)]   // one block: ⌊0.9⌋ = 0 masked
    public void Blocks_floor_the_masked_count_to_whole_blocks_and_keep_whole_blocks(int block, double ratio, int kept)
    {
        var options = new TokenMaskOptions { Kind = TokenMaskKind.Blocks, Ratio = ratio, BlockSize = block };
        using var g = new Generator(4);
        using var scope = new TensorScope();
        Tensor indices = TokenMasks.Draw(options, 8, 8, g);

        indices.Shape.Should().Equal(8, kept);
        foreach (long[] row in Rows(indices))
        {
            row.Should().OnlyHaveUniqueItems().And.BeInAscendingOrder();
            var set = row.ToHashSet();
            foreach (long t in row)
            {
                long top = t / 8 / block * block, left = t % 8 / block * block;
                for (int i = 0; i < block; i++)
                {
                    for (int j = 0; j < block; j++) set.Should().Contain(((top + i) * 8) + left + j, "a kept token's whole block is kept");
                }
            }
        }
    }

    [Fact]
    public void A_crop_window_keeps_one_contiguous_square()
    {
        var options = new TokenMaskOptions { Kind = TokenMaskKind.CropWindow, Ratio = 0.75 };
        using var g = new Generator(5);
        using var scope = new TensorScope();
        Tensor indices = TokenMasks.Draw(options, 12, 8, g);

        indices.Shape.Should().Equal(12, 16);   // ⌊8·√0.25⌋ = 4 → a 4×4 window
        foreach (long[] row in Rows(indices))
        {
            long top = row.Min() / 8, left = row.Min() % 8;
            row.Should().Equal(Enumerable.Range(0, 16).Select(k => ((top + (k / 4)) * 8) + left + (k % 4)));
            (top + 4).Should().BeLessThanOrEqualTo(8);
            (left + 4).Should().BeLessThanOrEqualTo(8);
        }
    }

    [Fact]
    public void The_same_generator_state_draws_the_same_masks()
    {
        var options = new TokenMaskOptions { Kind = TokenMaskKind.Blocks, Ratio = 0.75, BlockSize = 2 };
        using var a = new Generator(9);
        using var b = new Generator(9);
        using var c = new Generator(10);
        using var scope = new TensorScope();
        TokenMasks.Draw(options, 4, 8, a).ToArray<long>().Should().Equal(TokenMasks.Draw(options, 4, 8, b).ToArray<long>());
        TokenMasks.Draw(options, 4, 8, a).ToArray<long>().Should().NotEqual(TokenMasks.Draw(options, 4, 8, c).ToArray<long>());
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void A_ratio_outside_zero_one_is_a_clear_error(double ratio)
    {
        var options = new TokenMaskOptions { Kind = TokenMaskKind.RandomPatches, Ratio = ratio };
        using var g = new Generator(1);
        Action draw = () => TokenMasks.Draw(options, 2, 8, g);
        draw.Should().Throw<ArgumentException>().WithMessage("*ratio*[0, 1)*");
    }

    [Fact]
    public void A_block_that_does_not_divide_the_grid_is_a_clear_error()
    {
        var options = new TokenMaskOptions { Kind = TokenMaskKind.Blocks, Ratio = 0.5, BlockSize = 3 };
        using var g = new Generator(1);
        Action draw = () => TokenMasks.Draw(options, 2, 8, g);
        draw.Should().Throw<ArgumentException>().WithMessage("*BlockSize 3 does not divide the 8×8 token grid*");
    }

    [Fact]
    public void The_element_mask_covers_exactly_the_pixels_of_the_kept_patches()
    {
        using var scope = new TensorScope();
        Tensor kept = Tensor.FromArray(new long[] { 0, 5, 3, 15 }, 2, 2);
        Tensor mask = TokenMasks.ElementMask(kept, 4, 2);

        mask.Shape.Should().Equal(2, 1, 8, 8);
        float[] m = mask.ToArray<float>();
        for (int s = 0; s < 2; s++)
        {
            long[] tokens = s == 0 ? [0, 5] : [3, 15];
            for (int y = 0; y < 8; y++)
            {
                for (int x = 0; x < 8; x++)
                {
                    long token = (y / 2 * 4) + (x / 2);
                    m[(s * 64) + (y * 8) + x].Should().Be(tokens.Contains(token) ? 1f : 0f);
                }
            }
        }
    }
}
