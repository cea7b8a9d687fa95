using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.Edm2;

/// <summary>Bad inputs and options raise clear exceptions.</summary>
public class Edm2ValidationTests
{
    [Fact]
    public void Wrong_channel_count_is_rejected()
    {
        using var fixture = new TinyNetwork();
        using var scope = new TensorScope();
        Action run = () => fixture.Denoiser.Denoise(Tensor.Zeros([2, 3, 16, 16]), Tensor.Ones([2]), Conditioning.None);
        run.Should().Throw<ArgumentException>().WithMessage("*[B, 1, H, W]*");
    }

    [Fact]
    public void Resolution_not_divisible_by_the_downsampling_factor_is_rejected()
    {
        using var fixture = new TinyNetwork();
        using var scope = new TensorScope();
        Action run = () => fixture.Denoiser.Denoise(Tensor.Zeros([2, 1, 15, 15]), Tensor.Ones([2]), Conditioning.None);
        run.Should().Throw<ArgumentException>().WithMessage("*divisible by 2*15×15*");
    }

    [Fact]
    public void Labels_of_the_wrong_width_are_rejected()
    {
        using var fixture = new TinyNetwork();
        using var scope = new TensorScope();
        Action run = () => fixture.Denoiser.Denoise(Tensor.Zeros([2, 1, 16, 16]), Tensor.Ones([2]), Conditioning.FromClassLabels(Tensor.Zeros([2, 7])));
        run.Should().Throw<ArgumentException>().WithMessage("*[2, 10]*got [2, 7]*");
    }

    [Fact]
    public void Class_indices_out_of_range_are_rejected()
    {
        using var fixture = new TinyNetwork();
        using var scope = new TensorScope();
        Tensor indices = Tensor.FromArray(new long[] { 3, 10 });
        Action run = () => fixture.Denoiser.Denoise(Tensor.Zeros([2, 1, 16, 16]), Tensor.Ones([2]), Conditioning.FromClassLabels(indices));
        run.Should().Throw<ArgumentException>().WithMessage("*[0, 10)*");
    }

    [Fact]
    public void Missing_labels_mean_the_unconditional_zero_label()
    {
        using var fixture = new TinyNetwork();
        using var scope = new TensorScope();
        using var noGrad = new NoGradScope();
        fixture.Denoiser.UNet.OutGain.FillInPlace(1);
        Tensor x = Tensor.Randn([2, 1, 16, 16], fixture.Generator);
        Tensor sigma = Tensor.Ones([2]);
        Tensor a = fixture.Denoiser.Denoise(x, sigma, Conditioning.None);
        Tensor b = fixture.Denoiser.Denoise(x, sigma, Conditioning.FromClassLabels(Tensor.Zeros([2, 10])));
        a.Eq(b).All().ToBoolean().Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Invalid_options_are_rejected_with_the_option_named(Edm2UNetOptions options, string name)
    {
        Action validate = options.Validate;
        validate.Should().Throw<ArgumentException>().Where(e => e.ParamName == name);
    }

    public static TheoryData<Edm2UNetOptions, string> BadOptions()
    {
        Edm2UNetOptions ok = Edm2Presets.Img512Xs();
        return new()
        {
            { ok with { ImgResolution = 60 }, nameof(Edm2UNetOptions.ImgResolution) },
            { ok with { ImgChannels = 0 }, nameof(Edm2UNetOptions.ImgChannels) },
            { ok with { LabelDim = -1 }, nameof(Edm2UNetOptions.LabelDim) },
            { ok with { ChannelMult = [] }, nameof(Edm2UNetOptions.ChannelMult) },
            { ok with { AttentionResolutions = [12] }, nameof(Edm2UNetOptions.AttentionResolutions) },
            { ok with { Dropout = 1 }, nameof(Edm2UNetOptions.Dropout) },
            { ok with { ResidualBalance = 1.5 }, nameof(Edm2UNetOptions.ResidualBalance) },
            { ok with { ChannelsPerHead = 48 }, nameof(Edm2UNetOptions.ChannelsPerHead) },
            { ok with { ClipActivations = 0 }, nameof(Edm2UNetOptions.ClipActivations) },
            { ok with { SigmaData = 0 }, nameof(Edm2UNetOptions.SigmaData) },
        };
    }

    private sealed class TinyNetwork : IDisposable
    {
        public TinyNetwork()
        {
            Generator = new Generator(5);
            Denoiser = new Edm2Denoiser(
                new Edm2UNetOptions { ImgResolution = 16, ImgChannels = 1, LabelDim = 10, ModelChannels = 32, ChannelMult = [1, 2], NumBlocks = 1, AttentionResolutions = [8] },
                Generator);
            Denoiser.Eval();
        }

        public Generator Generator { get; }

        public Edm2Denoiser Denoiser { get; }

        public void Dispose()
        {
            Denoiser.Dispose();
            Generator.Dispose();
        }
    }
}
