using System.Globalization;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.Edm2;

/// <summary>Every preset's parameter count, built on the meta device (no allocation).</summary>
public class Edm2PresetTests
{
    public static TheoryData<string, long, string> Presets => new()
    {
        // name, exact count, millions as printed in docs/recipes.md §2 ("" where it has no row)
        { "img512-xxs", 31_309_029, "" },
        { "img512-xs", 124_713_253, "124.7" },
        { "img512-s", 280_212_837, "280.2" },
        { "img512-m", 497_807_781, "497.8" },
        { "img512-l", 777_498_085, "777.5" },
        { "img512-xl", 1_119_283_749, "1119.3" },
        { "img512-xxl", 1_523_164_773, "1523.2" },
        { "img64-s", 280_209_381, "280.2" },
        { "img64-m", 497_803_173, "" },
        { "img64-l", 777_492_325, "" },
        { "img64-xl", 1_119_276_837, "" },
    };

    [Theory]
    [MemberData(nameof(Presets))]
    public void Preset_parameter_counts_match_the_reference(string name, long expected, string printedMillions)
    {
        Edm2UNetOptions options = Factory(name);
        using var g = new Generator(0);
        using var d = new Edm2Denoiser(options, g, Device.Meta);

        long count = d.NumParameters();

        count.Should().Be(expected);
        if (printedMillions.Length > 0)
        {
            (count / 1e6).ToString("F1", CultureInfo.InvariantCulture).Should().Be(printedMillions);
        }
    }

    [Fact]
    public void Presets_have_the_published_sizes_and_dropout()
    {
        Edm2Presets.Img512S().Should().Match<Edm2UNetOptions>(o => o.ImgResolution == 64 && o.ImgChannels == 4 && o.LabelDim == 1000 && o.Dropout == 0);
        Edm2Presets.Img512M().Dropout.Should().Be(0.10);
        Edm2Presets.Img64S().ImgChannels.Should().Be(3);
        Edm2Presets.Img512Xxl().ModelChannels.Should().Be(448);
        Edm2Presets.Img512Xs().ChannelMult.Should().Equal(1, 2, 3, 4);
        Edm2Presets.Img512Xs().AttentionResolutions.Should().Equal(16, 8);
        Edm2Presets.Img512S().Should().Be(Edm2Presets.Img512S(), "options compare by value, lists included");
        Edm2Presets.Img512S().ToString().Should().Contain("ChannelMult = [1, 2, 3, 4]");
    }

    private static Edm2UNetOptions Factory(string name) => name switch
    {
        "img512-xxs" => Edm2Presets.Img512Xxs(),
        "img512-xs" => Edm2Presets.Img512Xs(),
        "img512-s" => Edm2Presets.Img512S(),
        "img512-m" => Edm2Presets.Img512M(),
        "img512-l" => Edm2Presets.Img512L(),
        "img512-xl" => Edm2Presets.Img512Xl(),
        "img512-xxl" => Edm2Presets.Img512Xxl(),
        "img64-s" => Edm2Presets.Img64S(),
        "img64-m" => Edm2Presets.Img64M(),
        "img64-l" => Edm2Presets.Img64L(),
        "img64-xl" => Edm2Presets.Img64Xl(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown preset"),
    };
}
