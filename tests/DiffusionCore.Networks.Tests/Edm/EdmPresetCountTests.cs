using DiffusionCore.Networks.Edm;
using DiffusionCore.Torch;
using Xunit.Abstractions;

namespace DiffusionCore.Networks.Tests.Edm;

/// <summary>
/// Preset parameter counts, built on the meta device (no allocation), against the counts of docs/recipes.md §1 (measured on
/// the reference code, rounded to 10 k).
/// </summary>
public class EdmPresetCountTests(ITestOutputHelper output)
{
    [Fact]
    public void DdpmppCifar10_has_55_73_M_parameters()
    {
        long n = Count(EdmPresets.DdpmppCifar10);
        output.WriteLine($"DDPM++ CIFAR-10: {n}");
        n.Should().Be(55_734_147);
        Math.Round(n / 1e6, 2).Should().Be(55.73);
    }

    [Fact]
    public void NcsnppCifar10_has_56_40_M_parameters()
    {
        long n = Count(EdmPresets.NcsnppCifar10);
        output.WriteLine($"NCSN++ CIFAR-10: {n}");
        n.Should().Be(56_398_339);
        Math.Round(n / 1e6, 2).Should().Be(56.40);
    }

    [Fact]
    public void AdmImageNet64_has_295_90_M_parameters()
    {
        long n = Count(EdmPresets.AdmImageNet64);
        output.WriteLine($"ADM ImageNet-64: {n}");
        n.Should().Be(295_899_267);
        Math.Round(n / 1e6, 2).Should().Be(295.90);
    }

    [Fact]
    public void Label_and_augment_variants_differ_by_their_mapping_layers()
    {
        foreach ((string name, SongUNetOptions o) in new[] { ("DDPM++", EdmPresets.DdpmppCifar10), ("NCSN++", EdmPresets.NcsnppCifar10) })
        {
            long noAugment = Count(o);
            long full = Count(o with { AugmentDim = EdmPresets.AugmentLabels });
            long uncond = Count(o with { LabelDim = 0, AugmentDim = EdmPresets.AugmentLabels });
            long bare = Count(o with { LabelDim = 0 });
            output.WriteLine($"{name}: cond+aug {full}, cond {noAugment}, uncond+aug {uncond}, uncond {bare}");
            (full - noAugment).Should().Be(9L * o.NoiseChannels, "map_augment is a bias-free 9 → noise-channels layer");
            (full - uncond).Should().Be((10L * o.NoiseChannels) + o.NoiseChannels, "map_label is a 10 → noise-channels layer with bias");
        }

        DhariwalUNetOptions adm = EdmPresets.AdmImageNet64;
        long admFull = Count(adm);
        long admAug = Count(adm with { AugmentDim = EdmPresets.AugmentLabels });
        long admUncond = Count(adm with { LabelDim = 0 });
        output.WriteLine($"ADM: cond {admFull}, cond+aug {admAug}, uncond {admUncond}");
        (admFull - admUncond).Should().Be(1000L * adm.EmbeddingChannels, "map_label is a bias-free 1000 → 768 layer");
        (admAug - admFull).Should().Be(9L * adm.ModelChannels, "map_augment is a bias-free 9 → 192 layer");
    }

    [Fact]
    public void Counting_on_meta_equals_counting_on_cpu_for_a_small_network()
    {
        var o = new SongUNetOptions { ImageResolution = 8, InChannels = 1, OutChannels = 1, ModelChannels = 16, ChannelMult = [1, 2], NumBlocks = 1, AttentionResolutions = [4], LabelDim = 3, AugmentDim = 2 };
        using var g = new Generator(0);
        using var cpu = new SongUNet(o, g);
        cpu.NumParameters().Should().Be(Count(o));
    }

    internal static long Count(SongUNetOptions o)
    {
        using var net = new SongUNet(o, device: Device.Meta);
        return net.NumParameters();
    }

    internal static long Count(DhariwalUNetOptions o)
    {
        using var net = new DhariwalUNet(o, device: Device.Meta);
        return net.NumParameters();
    }
}
