using DiffusionCore.Networks.DiT;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.DiT;

/// <summary>The twelve configurations of Peebles &amp; Xie 2023, Table 1, counted on the meta device (no allocation).</summary>
public class DiTPresetTests
{
    // Learned Σ, 1000 classes (+ null row), 32×32×4 latents; the counts include the fixed pos_embed [1, T, D], which the
    // reference stores as a parameter. p = 2 matches docs/recipes.md §3 (32.96 M, 130.51 M, 458.10 M, 675.13 M).
    [Theory]
    [InlineData(DiTModelSize.S, 2, 32_963_360L)]
    [InlineData(DiTModelSize.S, 4, 32_945_024L)]
    [InlineData(DiTModelSize.S, 8, 33_148_160L)]
    [InlineData(DiTModelSize.B, 2, 130_512_416L)]
    [InlineData(DiTModelSize.B, 4, 130_475_648L)]
    [InlineData(DiTModelSize.B, 8, 130_881_536L)]
    [InlineData(DiTModelSize.L, 2, 458_102_816L)]
    [InlineData(DiTModelSize.L, 4, 458_053_760L)]
    [InlineData(DiTModelSize.L, 8, 458_594_816L)]
    [InlineData(DiTModelSize.XL, 2, 675_129_632L)]
    [InlineData(DiTModelSize.XL, 4, 675_074_432L)]
    [InlineData(DiTModelSize.XL, 8, 675_683_072L)]
    public void Preset_parameter_counts(DiTModelSize size, int patch, long expected)
    {
        DiTOptions options = DiTPresets.Create(size, patch);
        using var gen = new Generator(0);
        using var model = new DiffusionTransformer(options, gen, device: Device.Meta);
        model.Parameters().Should().OnlyContain(p => p.Device.Type == DeviceType.Meta);
        model.NumParameters().Should().Be(expected, DiTPresets.Name(size, patch));
    }

    [Theory]
    [InlineData(DiTModelSize.S, 2, 32.96)]
    [InlineData(DiTModelSize.B, 2, 130.51)]
    [InlineData(DiTModelSize.L, 2, 458.10)]
    [InlineData(DiTModelSize.XL, 2, 675.13)]
    public void Patch_2_counts_round_to_the_recipes_table(DiTModelSize size, int patch, double millions)
    {
        using var gen = new Generator(0);
        using var model = new DiffusionTransformer(DiTPresets.Create(size, patch), gen, device: Device.Meta);
        Math.Round(model.NumParameters() / 1e6, 2).Should().Be(millions);
    }

    [Fact]
    public void All_enumerates_the_twelve_named_configurations()
    {
        var all = DiTPresets.All().ToList();
        all.Should().HaveCount(12);
        all.Select(p => p.Name).Should().Contain(["DiT-S/2", "DiT-B/4", "DiT-L/8", "DiT-XL/2"]);
        DiTOptions xl2 = all.Single(p => p.Name == "DiT-XL/2").Options;
        (xl2.Depth, xl2.HiddenSize, xl2.NumHeads, xl2.NumTokens, xl2.OutChannels).Should().Be((28, 1152, 16, 256, 8));
    }
}
