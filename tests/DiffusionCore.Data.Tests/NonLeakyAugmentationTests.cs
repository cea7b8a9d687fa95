using DiffusionCore.Data;
using DiffusionCore.Torch;

namespace DiffusionCore.Data.Tests;

public class NonLeakyAugmentationTests
{
    private static readonly AugmentationOptions Off = new()
    {
        Probability = 1, XFlip = 0, YFlip = 0, Translate = 0, Scale = 0, Rotate = 0, Anisotropy = 0,
    };

    private static Tensor Images(int batch = 8, int channels = 2, int size = 16)
    {
        using var g = new Generator(99);
        return Tensor.Rand([batch, channels, size, size], g).Mul(2).Sub(1);
    }

    private static double MaxDiff(Tensor a, Tensor b) => a.Sub(b).Abs().Max().ToDouble();

    [Fact]
    public void Probability_zero_is_identity_with_zero_labels()
    {
        using var scope = new TensorScope();
        var x = Images();
        var result = new NonLeakyAugmentation(new() { Probability = 0 }).Apply(x, new Generator(1));
        MaxDiff(result.Images, x).Should().Be(0);
        result.Labels.Shape.Should().Equal(8, AugmentationLabels.Count);
        result.Labels.Abs().Max().ToDouble().Should().Be(0);
    }

    [Fact]
    public void Pure_xflip_equals_Flip3_where_the_label_is_set()
    {
        using var scope = new TensorScope();
        var x = Images(batch: 32);
        var result = new NonLeakyAugmentation(Off with { XFlip = 1 }).Apply(x, new Generator(3));
        float[] labels = result.Labels.Contiguous().ToArray<float>();
        int flipped = 0;
        for (int b = 0; b < 32; b++)
        {
            float flag = labels[b * 9 + AugmentationLabels.XFlip];
            flag.Should().BeOneOf(0f, 1f);
            labels.Skip(b * 9 + 1).Take(8).Should().OnlyContain(v => v == 0);
            Tensor expected = flag == 1 ? x[b].Flip(2) : x[b];
            MaxDiff(result.Images[b], expected).Should().Be(0);
            flipped += (int)flag;
        }

        flipped.Should().BeInRange(4, 28);
    }

    [Fact]
    public void Integer_translation_moves_pixels_exactly()
    {
        using var scope = new TensorScope();
        var x = Images(batch: 16, size: 32);
        var options = Off with { Translate = 1, TranslateMax = 0.25 };
        var result = new NonLeakyAugmentation(options).Apply(x, new Generator(5));
        float[] labels = result.Labels.Contiguous().ToArray<float>();
        int moved = 0;
        for (int b = 0; b < 16; b++)
        {
            int dx = (int)Math.Round(labels[b * 9 + AugmentationLabels.TranslationX] * 32);
            int dy = (int)Math.Round(labels[b * 9 + AugmentationLabels.TranslationY] * 32);
            moved += dx != 0 || dy != 0 ? 1 : 0;
            // The part of the output that comes from inside the input equals the shifted input.
            int h = 32 - Math.Abs(dy), w = 32 - Math.Abs(dx);
            Tensor outPart = result.Images[b].Narrow(1, Math.Max(dy, 0), h).Narrow(2, Math.Max(dx, 0), w);
            Tensor inPart = x[b].Narrow(1, Math.Max(-dy, 0), h).Narrow(2, Math.Max(-dx, 0), w);
            MaxDiff(outPart, inPart).Should().Be(0);
        }

        moved.Should().BeGreaterThan(8);
    }

    [Fact]
    public void Same_seed_gives_the_same_output_and_labels()
    {
        using var scope = new TensorScope();
        var x = Images();
        var aug = new NonLeakyAugmentation(new() { Probability = 0.8 });
        var a = aug.Apply(x, new Generator(11));
        var b = aug.Apply(x, new Generator(11));
        var c = aug.Apply(x, new Generator(12));
        MaxDiff(a.Images, b.Images).Should().Be(0);
        MaxDiff(a.Labels, b.Labels).Should().Be(0);
        MaxDiff(a.Labels, c.Labels).Should().BeGreaterThan(0);
    }

    [Fact]
    public void Geometric_transforms_set_consistent_labels()
    {
        using var scope = new TensorScope();
        var x = Images(batch: 64);
        var result = new NonLeakyAugmentation(new() { Probability = 1, XFlip = 0, YFlip = 0, Translate = 0 }).Apply(x, new Generator(2));
        var labels = result.Labels;
        // Rotation labels lie on the unit circle: (cos − 1 + 1)² + sin² = 1 for every sample.
        var cos = labels.Select(1, AugmentationLabels.RotationCosMinusOne).Add(1.0);
        var sin = labels.Select(1, AugmentationLabels.RotationSin);
        MaxDiff(cos.Square().Add(sin.Square()), Tensor.Ones([64])).Should().BeLessThan(1e-5);
        labels.Select(1, AugmentationLabels.LogScale).Abs().Max().ToDouble().Should().BeGreaterThan(0);
        labels.Select(1, AugmentationLabels.AnisotropyX).Abs().Max().ToDouble().Should().BeGreaterThan(0);
        result.Images.IsFinite().All().ToBoolean().Should().BeTrue();
        MaxDiff(result.Images, x).Should().BeGreaterThan(0.1);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        var act = () => new NonLeakyAugmentation(new() { Probability = 1.5 });
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Probability");
        act = () => new NonLeakyAugmentation(new() { TranslateMax = 0.7 });
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("TranslateMax");
    }
}
