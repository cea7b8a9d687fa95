using DiffusionCore.Networks.Edm;
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
            { ok with { AttentionResolutions = null! }, nameof(Edm2UNetOptions.AttentionResolutions) },
            { ok with { NumBlocks = -1 }, nameof(Edm2UNetOptions.NumBlocks) },
            { ok with { ChannelMultNoise = 0 }, nameof(Edm2UNetOptions.ChannelMultNoise) },
            { ok with { ChannelMultEmb = 0 }, nameof(Edm2UNetOptions.ChannelMultEmb) },
            { ok with { ResampleFilter = new ResampleFilter(1, 2, 1) }, nameof(Edm2UNetOptions.ResampleFilter) },
            { ok with { Dropout = 1.5 }, nameof(Edm2UNetOptions.Dropout) },
            { ok with { ResidualBalance = double.NaN }, nameof(Edm2UNetOptions.ResidualBalance) },
            { ok with { ChannelsPerHead = 48 }, nameof(Edm2UNetOptions.ChannelsPerHead) },
            { ok with { ClipActivations = 0 }, nameof(Edm2UNetOptions.ClipActivations) },
            { ok with { SigmaData = 0 }, nameof(Edm2UNetOptions.SigmaData) },
        };
    }

    [Fact]
    public void Options_the_reference_accepts_are_valid()
    {
        // Each of these was refused before issue 17; the reference builds them (see the parity fixtures).
        Edm2UNetOptions issue = new()
        {
            ImgResolution = 16, ImgChannels = 3, LabelDim = 10, ModelChannels = 32, ChannelMult = [1, 2, 3], NumBlocks = 2, AttentionResolutions = [4],
        };
        issue.Validate();                                                  // 96 channels at 64 per head: ⌊96/64⌋ = 1 head
        issue.AttentionHeads(96, attention: true).Should().Be(1);
        issue.AttentionHeads(32, attention: true).Should().Be(0);
        (issue with { AttentionResolutions = [32, 8] }).Validate();       // 32 is no level: no effect
        (issue with { NumBlocks = 0, ResidualBalance = 1.5, Dropout = 1 }).Validate();
        using var net = new Edm2UNet(issue with { AttentionResolutions = [16, 4] }, new Generator(1), Device.Meta);
        var keys = net.StateDict().Keys.ToList();
        keys.Should().Contain("enc.4x4_block0.attn_qkv.weight").And.Contain("dec.4x4_in0.attn_proj.weight");
        keys.Should().NotContain(k => k.StartsWith("enc.16x16_block0.attn", StringComparison.Ordinal), "32 channels have no 64-channel head");
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
