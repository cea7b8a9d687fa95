using DiffusionCore.Torch;

namespace DiffusionCore.Data.Tests;

/// <summary>Random resized crop and flip whose parameters are the control metadata (docs/control-conditioning.md).</summary>
public sealed class ControlAugmentationTests : IDisposable
{
    private readonly TensorScope _scope = new();

    public void Dispose() => _scope.Dispose();

    private static Tensor Ramp(long batch, int size = 8) =>
        Tensor.Arange(0, batch * size * size, 1, DType.Float32).Reshape(batch, 1, size, size).Div(batch * size * size);

    [Fact]
    public void Controls_describe_what_was_done_to_each_image()
    {
        const long n = 64;
        Tensor images = Ramp(n);
        using var g = new Generator(4);
        AugmentedBatch r = new ControlAugmentation(new ControlAugmentationOptions { MinCropScale = 0.5 }).Apply(images, g);
        r.Images.Shape.Should().Equal(images.Shape);
        r.Labels.Shape.Should().Equal(n, ControlAugmentation.Width);
        float[] c = r.Labels.ToArray<float>();
        for (int i = 0; i < n; i++)
        {
            float flip = c[4 * i], shrink = c[(4 * i) + 1], tx = c[(4 * i) + 2], ty = c[(4 * i) + 3];
            flip.Should().BeOneOf(0f, 1f);
            shrink.Should().BeInRange(0f, 0.5f);
            Math.Abs(tx).Should().BeLessThanOrEqualTo(shrink + 1e-6f);
            Math.Abs(ty).Should().BeLessThanOrEqualTo(shrink + 1e-6f);
            Tensor expected = images.Select(0, i);
            if (flip == 1) expected = expected.Flip(2);
            if (shrink == 0)
            {
                r.Images.Select(0, i).ToArray<float>().Should().Equal(expected.ToArray<float>(), $"image {i} is not cropped, so it is moved exactly");
            }
        }

        c.Where((_, k) => k % 4 == 0).Should().Contain(0f).And.Contain(1f);
        c.Where((_, k) => k % 4 == 1).Should().Contain(0f).And.Contain(v => v > 0);
    }

    [Fact]
    public void A_crop_samples_the_box_given_by_its_controls()
    {
        // A crop of side ½ centred at (−½, −½) in normalised coordinates is the top-left quarter, resized ×2.
        Tensor image = Tensor.Arange(0, 16, 1, DType.Float32).Reshape(1, 1, 4, 4);
        using var g = new Generator(0);
        var always = new ControlAugmentation(new ControlAugmentationOptions { FlipProbability = 0, CropProbability = 1, MinCropScale = 0.5, MaxCropScale = 0.5 });
        for (int attempt = 0; attempt < 20; attempt++)
        {
            AugmentedBatch r = always.Apply(image, g);
            float[] c = r.Labels.ToArray<float>();
            c[1].Should().BeApproximately(0.5f, 1e-6f);
            // Output pixel k of 4 has normalised centre u = (2k+1)/4 − 1 and samples input x = s·u + t, i.e. pixel coordinate
            // ((x+1)·4 − 1)/2, clamped to [0, 3] (border padding); bilinear sampling of the ramp 4·row + col is exact there.
            float[] actual = r.Images.ToArray<float>();
            for (int i = 0; i < 4; i++)
            {
                for (int j = 0; j < 4; j++)
                {
                    double row = Math.Clamp((((0.5 * (((2 * i) + 1) / 4.0 - 1)) + c[3] + 1) * 4 - 1) / 2, 0, 3);
                    double col = Math.Clamp((((0.5 * (((2 * j) + 1) / 4.0 - 1)) + c[2] + 1) * 4 - 1) / 2, 0, 3);
                    actual[(i * 4) + j].Should().BeApproximately((float)((4 * row) + col), 1e-4f);
                }
            }
        }
    }

    [Fact]
    public void The_same_generator_state_gives_the_same_batch_and_neutral_controls_are_zero()
    {
        Tensor images = Ramp(8);
        var aug = new ControlAugmentation();
        using var g1 = new Generator(9);
        using var g2 = new Generator(9);
        AugmentedBatch a = aug.Apply(images, g1);
        AugmentedBatch b = aug.Apply(images, g2);
        a.Images.ToArray<float>().Should().Equal(b.Images.ToArray<float>());
        a.Labels.ToArray<float>().Should().Equal(b.Labels.ToArray<float>());
        ControlAugmentation.Neutral(3).ToArray<float>().Should().OnlyContain(v => v == 0);
        ControlAugmentation.Controls([true], [0.6], [0.4], [-0.4]).ToArray<float>().Should().Equal(1f, 0.4f, 0.4f, -0.4f);
    }

    [Fact]
    public void Bad_options_and_boxes_are_clear_errors()
    {
        FluentActions.Invoking(() => new ControlAugmentation(new ControlAugmentationOptions { MinCropScale = 0.9, MaxCropScale = 0.5 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*MinCropScale ≤ MaxCropScale*");
        FluentActions.Invoking(() => new ControlAugmentation(new ControlAugmentationOptions { FlipProbability = 2 })).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => ControlAugmentation.Controls([false], [0.6], [0.5], [0])).Should().Throw<ArgumentException>().WithMessage("*inside the image*");
        using var g = new Generator(0);
        FluentActions.Invoking(() => new ControlAugmentation().Apply(Tensor.Zeros([2, 8, 8]), g)).Should().Throw<ArgumentException>().WithMessage("*[B, C, H, W]*");
    }
}
