using DiffusionCore.Networks.Edm;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Networks.Tests.Edm;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests;

/// <summary>
/// Issue 16, item 10: channel products are checked arithmetic, and a network whose weights cannot fit is refused before
/// anything is allocated.
/// </summary>
public class ChannelBudgetTests
{
    [Fact]
    public void Channel_products_beyond_int_are_refused_naming_the_option()
    {
        var edm2 = new Edm2UNetOptions { ModelChannels = 1_500_000_000, ChannelMult = [1, 2] };
        FluentActions.Invoking(edm2.Validate).Should().Throw<ArgumentException>()
            .WithMessage("Edm2UNetOptions: ModelChannels 1500000000 × ChannelMult 2 = 3000000000 channels, more than a layer can have*lower ModelChannels or ChannelMult*");

        SongUNetOptions song = EdmPresets.DdpmppCifar10 with { ModelChannels = 1_000_000_000, ChannelMult = [1], ChannelMultEmb = 4, AttentionResolutions = [] };
        FluentActions.Invoking(song.Validate).Should().Throw<ArgumentException>().WithMessage("*ChannelMultEmb 4 = 4000000000 channels*");
    }

    [Fact]
    public void A_network_too_large_for_memory_is_refused_before_allocating()
    {
        var huge = new Edm2UNetOptions { ImgResolution = 8, ImgChannels = 1, LabelDim = 0, ModelChannels = 200_000, ChannelMult = [1], NumBlocks = 1, AttentionResolutions = [], ChannelsPerHead = 8 };
        using var g = new Generator(0);
        long rssBefore = Environment.WorkingSet;
        Action build = () => new Edm2UNet(huge, g).Dispose();
        build.Should().Throw<ArgumentException>()
            .WithMessage("Edm2UNet describes a network of at least 1.080E+012 parameters (4023.3 GiB of float32 weights), more than the * GiB this process can still allocate; lower ModelChannels, ChannelMult or NumBlocks*");
        (Environment.WorkingSet - rssBefore).Should().BeLessThan(256L << 20, "nothing was allocated");

        using var counted = new Edm2UNet(huge, g, Device.Meta);
        counted.NumParameters().Should().BeGreaterThan((long)ChannelBudget.ParameterFloor(200_000, [1], 1), "the meta device counts without the check");
    }

    [Fact]
    public void The_parameter_floor_is_a_close_lower_bound_for_the_published_networks()
    {
        using var g = new Generator(0);
        void Check(long actual, double floor, string name)
        {
            floor.Should().BeLessThanOrEqualTo(actual, name);
            floor.Should().BeGreaterThan(actual / 6.0, $"{name}: the floor must be close enough to catch real mistakes");
        }

        foreach ((string name, Edm2UNetOptions o) in new[] { ("img512-xs", Edm2Presets.Img512Xs()), ("img512-m", Edm2Presets.Img512M()) })
        {
            using var net = new Edm2UNet(o, g, Device.Meta);
            Check(net.NumParameters(), ChannelBudget.ParameterFloor(o.ModelChannels, o.ChannelMult, o.NumBlocks), name);
        }

        SongUNetOptions song = EdmPresets.DdpmppCifar10;
        Check(EdmPresetCountTests.Count(song), ChannelBudget.ParameterFloor(song.ModelChannels, song.ChannelMult, song.NumBlocks), "ddpm++");
        DhariwalUNetOptions adm = EdmPresets.AdmImageNet64;
        Check(EdmPresetCountTests.Count(adm), ChannelBudget.ParameterFloor(adm.ModelChannels, adm.ChannelMult, adm.NumBlocks), "adm");
    }
}
