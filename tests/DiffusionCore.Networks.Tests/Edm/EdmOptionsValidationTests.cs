using DiffusionCore.Networks.Edm;

namespace DiffusionCore.Networks.Tests.Edm;

/// <summary>Invalid options fail up front with messages that name the option.</summary>
public class EdmOptionsValidationTests
{
    public static TheoryData<SongUNetOptions, string> InvalidSong() => new()
    {
        { TinyEdm.Song with { ChannelMult = [] }, "*ChannelMult*" },
        { TinyEdm.Song with { ChannelMult = [1, 0] }, "*ChannelMult*" },
        { TinyEdm.Song with { ImageResolution = 15 }, "*ImageResolution (15)*multiple*" },
        { TinyEdm.Song with { ResampleFilter = new ResampleFilter(1, 2, 1) }, "*ResampleFilter [1, 2, 1] has 3 taps*even number*" },
        { TinyEdm.Song with { Dropout = 1.5 }, "*Dropout must be in [0, 1]*" },
        { TinyEdm.Song with { Dropout = -0.1 }, "*Dropout*" },
        { TinyEdm.Song with { LabelDropout = 1.5 }, "*LabelDropout must be in [0, 1]*" },
        { TinyEdm.Song with { LabelDim = -1 }, "*LabelDim*" },
        { TinyEdm.Song with { ModelChannels = 0 }, "*ModelChannels must be positive*" },
        { TinyEdm.Song with { InChannels = 0 }, "*InChannels must be positive*" },
        { TinyEdm.Song with { NumBlocks = -1 }, "*NumBlocks*" },
        { TinyEdm.Song with { ChannelMultNoise = 0 }, "*ChannelMultNoise*" },
        { TinyEdm.Song with { ModelChannels = 3, ChannelMultNoise = 1 }, "*even width*" },
        { TinyEdm.Song with { EmbeddingType = (EmbeddingType)7 }, "*EmbeddingType*" },
        { TinyEdm.Song with { EncoderType = (EncoderType)7 }, "*EncoderType*" },
        { TinyEdm.Song with { DecoderType = (DecoderType)7 }, "*DecoderType*" },
        { TinyEdm.Song with { EmbeddingType = EmbeddingType.Fourier, FourierScale = 0 }, "*FourierScale*" },
    };

    public static TheoryData<DhariwalUNetOptions, string> InvalidAdm() => new()
    {
        { TinyEdm.Adm with { ChannelsPerHead = 20 }, "*attention at 8×8 has 64 channels*⌊64/20⌋ = 3 heads*" },
        { TinyEdm.Adm with { ChannelsPerHead = 10, AttentionResolutions = [16] }, "*attention at 16×16 has 32 channels*⌊32/10⌋ = 3 heads*drop 16*" },
        { TinyEdm.Adm with { ChannelsPerHead = 0 }, "*ChannelsPerHead*" },
        { TinyEdm.Adm with { ModelChannels = 33 }, "*ModelChannels must be even*" },
        { TinyEdm.Adm with { ImageResolution = 0 }, "*ImageResolution*" },
        { TinyEdm.Adm with { LabelDropout = -1 }, "*LabelDropout*" },
    };

    [Theory]
    [MemberData(nameof(InvalidSong))]
    public void Invalid_SongUNet_options_throw(SongUNetOptions options, string message)
    {
        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage(message);
        Action build = () => new SongUNet(options, device: DiffusionCore.Torch.Device.Meta).Dispose();
        build.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Theory]
    [MemberData(nameof(InvalidAdm))]
    public void Invalid_DhariwalUNet_options_throw(DhariwalUNetOptions options, string message)
    {
        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage(message);
        Action build = () => new DhariwalUNet(options, device: DiffusionCore.Torch.Device.Meta).Dispose();
        build.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void Options_the_reference_accepts_are_valid()
    {
        // Each of these was refused before issue 17; the reference builds them (see the parity fixtures).
        (TinyEdm.Song with { AttentionResolutions = [5, 8] }).Validate();             // 5 is no level: no effect
        (TinyEdm.Song with { LabelDim = 0, LabelDropout = 0.1 }).Validate();         // nothing to drop: no effect
        (TinyEdm.Song with { Dropout = 1 }).Validate();
        (TinyEdm.Song with { ChannelMult = [1], ResampleFilter = new ResampleFilter(1, 2, 1) }).Validate(); // one level: never resamples
        (TinyEdm.Adm with { AttentionResolutions = [16, 8] }).Validate();            // 32 channels at 16²: no heads, no attention
        using var adm = new DhariwalUNet(TinyEdm.Adm with { AttentionResolutions = [16, 8] }, device: DiffusionCore.Torch.Device.Meta);
        adm.StateDict().Keys.Should().NotContain(k => k.StartsWith("enc.16x16_block0.qkv", StringComparison.Ordinal))
            .And.Contain("enc.8x8_block0.qkv.weight");
    }

    [Fact]
    public void Presets_are_valid()
    {
        EdmPresets.DdpmppCifar10.Validate();
        EdmPresets.NcsnppCifar10.Validate();
        EdmPresets.AdmImageNet64.Validate();
    }

    [Fact]
    public void Channel_counts_that_group_norm_cannot_split_are_rejected()
    {
        Action build = () => new SongUNet(TinyEdm.Song with { ModelChannels = 34 }, device: DiffusionCore.Torch.Device.Meta).Dispose();
        build.Should().Throw<ArgumentException>().WithMessage("*34 channels*groups*");
    }

    [Fact]
    public void Resample_filters_reject_empty_or_zero_sum_taps()
    {
        Action empty = () => _ = new ResampleFilter();
        empty.Should().Throw<ArgumentException>().WithMessage("*at least one tap*");
        Action zero = () => _ = new ResampleFilter(1, -1);
        zero.Should().Throw<ArgumentException>().WithMessage("*sum to zero*");
    }
}
