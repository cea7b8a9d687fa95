using DiffusionCore.Networks.DiT;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.DiT;

/// <summary>Invalid options and inputs fail with messages that name the problem.</summary>
public class DiTInputValidationTests
{
    [Fact]
    public void Image_size_not_divisible_by_the_patch_is_rejected()
    {
        using var gen = new Generator(0);
        using var model = new DiffusionTransformer(DiTTestModels.Tiny, gen);
        model.Eval();
        using var scope = new TensorScope();
        Action act = () => model.Forward(Tensor.Zeros([1, 4, 9, 9]), Tensor.Zeros([1]), Tensor.Zeros([1], DType.Int64));
        act.Should().Throw<ArgumentException>().WithMessage("*9×9 is not divisible by the patch size 2*");
    }

    [Fact]
    public void Wrong_channel_count_is_rejected()
    {
        using var gen = new Generator(0);
        using var model = new DiffusionTransformer(DiTTestModels.Tiny, gen);
        model.Eval();
        using var scope = new TensorScope();
        Action act = () => model.Forward(Tensor.Zeros([1, 3, 8, 8]), Tensor.Zeros([1]), Tensor.Zeros([1], DType.Int64));
        act.Should().Throw<ArgumentException>().WithMessage("*3 channels*built for 4*");
        Action flat = () => model.Forward(Tensor.Zeros([4, 8, 8]), Tensor.Zeros([4]), Tensor.Zeros([4], DType.Int64));
        flat.Should().Throw<ArgumentException>().WithMessage("*[B, C, H, W]*");
    }

    [Theory]
    [InlineData(11L)]
    [InlineData(-1L)]
    public void Labels_out_of_range_are_rejected(long label)
    {
        using var gen = new Generator(0);
        using var model = new DiffusionTransformer(DiTTestModels.Tiny, gen);
        model.Eval();
        using var scope = new TensorScope();
        Action act = () => model.Forward(Tensor.Zeros([2, 4, 8, 8]), Tensor.Zeros([2]), Tensor.FromArray(new long[] { 0, label }));
        act.Should().Throw<ArgumentException>().WithMessage("*[0, 10]*10 = null label*");
    }

    [Fact]
    public void Labels_of_the_wrong_type_or_batch_and_bad_timesteps_are_rejected()
    {
        using var gen = new Generator(0);
        using var model = new DiffusionTransformer(DiTTestModels.Tiny, gen);
        model.Eval();
        using var scope = new TensorScope();
        Tensor x = Tensor.Zeros([2, 4, 8, 8]);
        Action floats = () => model.Forward(x, Tensor.Zeros([2]), Tensor.Zeros([2]));
        floats.Should().Throw<ArgumentException>().WithMessage("*int64 class indices [B = 2]*Float32*");
        Action oneHot = () => model.Forward(x, Tensor.Zeros([2]), Tensor.Zeros([2, 10], DType.Int64));
        oneHot.Should().Throw<ArgumentException>().WithMessage("*[2, 10]*");
        Action missing = () => model.Forward(x, Tensor.Zeros([2]), classLabels: null);
        missing.Should().Throw<ArgumentException>().WithMessage("*class-conditional*");
        Action timesteps = () => model.Forward(x, Tensor.Zeros([3]), Tensor.Zeros([2], DType.Int64));
        timesteps.Should().Throw<ArgumentException>().WithMessage("*timesteps*[B = 2]*[3]*");
    }

    [Fact]
    public void Invalid_options_are_rejected_before_building()
    {
        using var gen = new Generator(0);
        Action notDivisible = () => _ = new DiffusionTransformer(DiTTestModels.Tiny with { InputSize = 9 }, gen);
        notDivisible.Should().Throw<ArgumentException>().WithMessage("*InputSize 9 is not divisible by PatchSize 2*");
        Action heads = () => _ = new DiffusionTransformer(DiTTestModels.Tiny with { NumHeads = 5 }, gen);
        heads.Should().Throw<ArgumentException>().WithMessage("*NumHeads 5*");
        Action dropout = () => new DiTOptions { ClassDropoutProbability = 1.5 }.Validate();
        dropout.Should().Throw<ArgumentException>().WithMessage("*ClassDropoutProbability*");
        Action preset = () => DiTPresets.Create(DiTModelSize.S, 3);
        preset.Should().Throw<ArgumentException>().WithMessage("*not divisible by PatchSize 3*");
    }
}
