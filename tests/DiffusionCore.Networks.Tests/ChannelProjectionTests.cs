using DiffusionCore.Networks.Edm;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Networks.Tests.Edm;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Tests;

/// <summary>
/// DeMe's identity-initialised channel projections (docs/recipes.md §5): with them a network computes bit for bit what
/// it computes without them, they are named like the blocks they follow, and changing one changes the output.
/// </summary>
public sealed class ChannelProjectionTests
{
    private static Edm2UNetOptions Edm2Options { get; } = new()
    {
        ImgResolution = 16,
        ImgChannels = 3,
        LabelDim = 4,
        ModelChannels = 16,
        ChannelMult = [1, 2],
        NumBlocks = 1,
        AttentionResolutions = [8],
        ChannelsPerHead = 8,
    };

    public static TheoryData<string> Networks => ["edm2", "ddpmpp", "adm"];

    private static (IDiffusionNetwork Network, Module Module) Build(string kind, bool projections) => kind switch
    {
        "edm2" => Pair(new Edm2UNet(Edm2Options with { ChannelProjections = projections }, new Generator(3))),
        "ddpmpp" => Pair(new SongUNet(TinyEdm.Song with { ChannelProjections = projections }, new Generator(3))),
        _ => Pair(new DhariwalUNet(TinyEdm.Adm with { ChannelProjections = projections }, new Generator(3))),
    };

    private static (IDiffusionNetwork, Module) Pair<T>(T network)
        where T : Module, IDiffusionNetwork => (network, network);

    /// <summary>A network with random (non-zero) weights, and a copy with fresh projections.</summary>
    private static ((IDiffusionNetwork Network, Module Module) Plain, (IDiffusionNetwork Network, Module Module) Projected) Twins(string kind)
    {
        var plain = Build(kind, projections: false);
        TinyEdm.Randomize(plain.Module);
        using (new NoGradScope())
        {
            if (plain.Module is Edm2UNet edm2) edm2.OutGain.FillInPlace(1.0);   // EDM2's output gain starts at 0
        }

        var projected = Build(kind, projections: true);
        StateDictLoadResult loaded = projected.Module.LoadStateDict(plain.Module.StateDict().ToDictionary(), strict: false);
        loaded.UnexpectedKeys.Should().BeEmpty();
        loaded.MissingKeys.Should().NotBeEmpty().And.OnlyContain(k => IsProjection(k));
        return (plain, projected);
    }

    private static Tensor Run(IDiffusionNetwork network)
    {
        using var noGrad = new NoGradScope();
        return network.Forward(TinyEdm.Images(11), Tensor.FromArray(new[] { 0.3f, -1.2f }), TinyEdm.Labels(augmentDim: network is Edm2UNet ? 0 : 2));
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Identity_projections_leave_the_output_bit_identical(string kind)
    {
        using var scope = new TensorScope();
        var (plain, projected) = Twins(kind);
        using (plain.Module)
        using (projected.Module)
        {
            Tensor a = Run(plain.Network);
            Tensor b = Run(projected.Network);
            a.Abs().Max().ToDouble().Should().BeGreaterThan(0, "the oracle needs a non-zero output");
            a.Eq(b).All().ToDouble().Should().Be(1, "an identity 1×1 convolution multiplies by exactly 1 and adds exact zeros");

            // The projections are live: scaling one changes the output.
            using (new NoGradScope())
            {
                projected.Module.NamedParameters().First(p => p.Key.StartsWith("dec_proj.", StringComparison.Ordinal)).Value.MulInPlace(1.5);
            }

            TinyEdm.MaxAbsDiff(a, Run(projected.Network)).Should().BeGreaterThan(1e-6);
        }
    }

    private static bool IsProjection(string key) => key.StartsWith("enc_proj.", StringComparison.Ordinal) || key.StartsWith("dec_proj.", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(Networks))]
    public void Projections_follow_every_encoder_and_decoder_block_with_the_blocks_names(string kind)
    {
        using var scope = new TensorScope();
        Module module = Build(kind, projections: true).Module;
        using (module)
        {
            string[] keys = [.. module.StateDict().Select(kv => kv.Key)];
            string[] blocks = [.. keys.Where(k => k.StartsWith("enc.", StringComparison.Ordinal) || k.StartsWith("dec.", StringComparison.Ordinal))
                .Select(k => k[..k.IndexOf('.', 4)])
                .Where(b => !b.Contains("_aux_", StringComparison.Ordinal))
                .Where(b => b.Contains("_block", StringComparison.Ordinal) || b.EndsWith("_down", StringComparison.Ordinal) || b.EndsWith("_up", StringComparison.Ordinal) || b.EndsWith("_in0", StringComparison.Ordinal) || b.EndsWith("_in1", StringComparison.Ordinal))
                .Distinct()];
            string[] projections = [.. keys.Where(IsProjection)];
            projections.Should().Equal(blocks.Select(b => b.Replace("enc.", "enc_proj.", StringComparison.Ordinal).Replace("dec.", "dec_proj.", StringComparison.Ordinal) + ".weight"));
            projections.Should().Contain(["enc_proj.16x16_block0.weight", "enc_proj.8x8_down.weight", "dec_proj.8x8_in0.weight", "dec_proj.16x16_up.weight"]);
            foreach (string key in projections)
            {
                Tensor w = module.StateDict().First(kv => kv.Key == key).Value;
                long c = w.Size(0);
                w.Shape.Should().Equal([c, c, 1, 1]);
                w.Reshape(c, c).Eq(Tensor.Eye(c)).All().ToDouble().Should().Be(1, $"{key} starts as the identity");
            }

            using Module plain = Build(kind, projections: false).Module;
            plain.StateDict().Select(kv => kv.Key).Should().Equal(keys.Where(k => !IsProjection(k)),
                "the option only adds keys, after the reference's");
        }
    }
}
