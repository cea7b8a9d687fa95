using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Evaluation.Tests;

/// <summary>Canonicalisation: 28×28 passes through, padded sizes are centre-cropped back, values clamped.</summary>
public class FashionMnistImagesTests
{
    [Fact]
    public void Padded_32_by_32_images_crop_back_to_the_28_by_28_originals()
    {
        using var scope = new TensorScope();
        using var g = new Generator(31);
        Tensor original = (Tensor.Rand([3, 1, 28, 28], g) * 2.0) - 1.0;
        Tensor padded = Functional.Pad(original, [2, 2, 2, 2], value: -1);
        Tensor canonical = FashionMnistImages.Canonicalize(padded);
        canonical.Shape.Should().Equal(3, 1, 28, 28);
        (canonical - original).Abs().Max().ToDouble().Should().Be(0);
        (FashionMnistImages.Canonicalize(original) - original).Abs().Max().ToDouble().Should().Be(0);
    }

    [Fact]
    public void Values_are_clamped_and_converted_to_float32()
    {
        using var scope = new TensorScope();
        Tensor x = Tensor.Full([1, 28, 28], 3.0, DType.Float64);
        Tensor canonical = FashionMnistImages.Canonicalize(x);
        canonical.DType.Should().Be(DType.Float32);
        canonical.Shape.Should().Equal(1, 1, 28, 28);
        canonical.Max().ToDouble().Should().Be(1);
    }

    [Fact]
    public void Colour_or_small_images_are_rejected()
    {
        using var scope = new TensorScope();
        Action colour = () => FashionMnistImages.Canonicalize(Tensor.Zeros([2, 3, 28, 28]));
        colour.Should().Throw<ArgumentException>().WithMessage("*grey*");
        Action small = () => FashionMnistImages.Canonicalize(Tensor.Zeros([2, 1, 16, 16]));
        small.Should().Throw<ArgumentException>().WithMessage("*at least 28*");
    }
}
