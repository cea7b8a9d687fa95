using DiffusionCore.Denoisers;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Networks.Edm;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Networks.Tests.DiT;
using DiffusionCore.Networks.Tests.Edm;
using DiffusionCore.Networks.Tests.Edm2;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using Xunit.Abstractions;

namespace DiffusionCore.Networks.Tests;

/// <summary>
/// Parity with the reference implementations over many configurations (issue 17; tests/fixtures/reference/generate.py
/// writes the fixtures from NVlabs/edm, NVlabs/edm2 and facebookresearch/DiT): for every fixture, the options built from
/// the reference constructor's arguments give the reference parameter count and state-dict keys and shapes, the
/// reference state dict loads strictly, and the eval-mode output and every parameter gradient of
/// <c>sum((out − target)²)</c> agree within 1e-4 relative.
/// </summary>
public partial class ReferenceConfigurationTests(ITestOutputHelper output)
{
    private static readonly string[] Edm2Names =
    [
        "edm2_unet_tiny", "edm2_heads_rounded_down", "edm2_noise_emb_balances", "edm2_fir_no_heads", "edm2_zero_blocks_clip",
        "edm2_single_level", "edm2_four_levels",
    ];

    private static readonly string[] SongUNetNames =
    [
        "edm_ddpmpp_tiny", "edm_ddpmpp_vp_augment", "edm_ncsnpp_ve", "edm_song_skip_skip", "edm_song_residual_skip_odd",
        "edm_song_zero_blocks", "edm_song_raw_single_level",
    ];

    private static readonly string[] DhariwalUNetNames =
    [
        "edm_adm_tiny", "edm_adm_attention_below_64", "edm_adm_heads_rounded_down", "edm_adm_three_heads", "edm_adm_single_level",
        "edm_adm_zero_blocks", "edm_adm_raw_learned_variance",
    ];

    private static readonly string[] DiTNames =
    [
        "dit_tiny", "dit_no_dropout_patch1", "dit_patch4_three_heads", "dit_odd_grid_five_heads", "dit_patch3_one_class",
        "dit_imagenet_labels", "dit_defaults_small",
    ];

    public static TheoryData<string> Edm2Fixtures() => new(Edm2Names);

    public static TheoryData<string> SongUNetFixtures() => new(SongUNetNames);

    public static TheoryData<string> DhariwalUNetFixtures() => new(DhariwalUNetNames);

    public static TheoryData<string> DiTFixtures() => new(DiTNames);

    [Theory]
    [MemberData(nameof(Edm2Fixtures))]
    public void Edm2_denoiser_matches_the_reference(string name)
    {
        using ReferenceCase c = ReferenceCase.Load(name);
        using var g = new Generator(1);
        using var denoiser = new Edm2Denoiser(Edm2Fixture.Options(c), g);
        Check(c, denoiser, conditioning => denoiser.Denoise(c["in.x"], c["in.sigma"], conditioning), () =>
        {
            Tensor logvar = denoiser.LogVariance(c["in.sigma"]);
            logvar.Shape.Should().Equal(c["in.sigma"].Size(0), 1, 1, 1);
            ReferenceCase.AssertClose(logvar.Flatten(), c["out.logvar"], $"{name} out.logvar");
        });
    }

    [Theory]
    [MemberData(nameof(SongUNetFixtures))]
    public void SongUNet_matches_the_reference(string name)
    {
        using ReferenceCase c = ReferenceCase.Load(name);
        using var g = new Generator(1);
        CheckEdm(c, new SongUNet(EdmFixtureConfig.SongUNet(c.Config), g));
    }

    [Theory]
    [MemberData(nameof(DhariwalUNetFixtures))]
    public void DhariwalUNet_matches_the_reference(string name)
    {
        using ReferenceCase c = ReferenceCase.Load(name);
        using var g = new Generator(1);
        CheckEdm(c, new DhariwalUNet(EdmFixtureConfig.DhariwalUNet(c.Config), g));
    }

    [Theory]
    [MemberData(nameof(DiTFixtures))]
    public void DiT_matches_the_reference(string name)
    {
        using ReferenceCase c = ReferenceCase.Load(name);
        using var g = new Generator(1);
        using var dit = new DiffusionTransformer(DiTTestModels.OptionsFrom(c.Config), g);
        Check(c, dit, _ => dit.Forward(c["in.x"], c["in.t"], c["in.labels"]));
        dit.PositionEmbeddingParameter.Grad.Should().BeNull("the fixed position embedding takes no gradient");
    }

    [Fact]
    public void Every_fixture_in_the_folder_is_checked()
    {
        string[] files = Directory.GetFiles(ReferenceCase.FixtureFolder, "*.safetensors").Select(Path.GetFileNameWithoutExtension).ToArray()!;
        string[] covered = [.. Edm2Names, .. SongUNetNames, .. DhariwalUNetNames, .. DiTNames, .. UViTNames];
        files.Should().BeEquivalentTo(covered);
        covered.Should().OnlyHaveUniqueItems();
    }

    private void CheckEdm<TNetwork>(ReferenceCase c, TNetwork network)
        where TNetwork : Module, IDiffusionNetwork
    {
        Preconditioning? preconditioning = EdmFixtureConfig.Preconditioning(c.Config);
        if (preconditioning is null)
        {
            using (network)
            {
                Check(c, network, conditioning => network.Forward(c["in.x"], c["in.noise_labels"], conditioning));
            }

            return;
        }

        using var wrapped = new PreconditionedNetwork<TNetwork>(network, preconditioning);
        Check(c, wrapped, conditioning => wrapped.Denoise(c["in.x"], c["in.sigma"], conditioning));
    }

    private void Check(ReferenceCase c, Module network, Func<Conditioning, Tensor> forward, Action? more = null)
    {
        using var scope = new TensorScope();
        c.AssertParameterCount(network);
        OrderedDictionary<string, Tensor> state = network.StateDict();
        state.Keys.Should().BeEquivalentTo(c.State.Keys, $"{c.Name} must have the reference state-dict keys");
        foreach ((string key, Tensor expected) in c.State)
        {
            state[key].Shape.Should().Equal(expected.Shape, $"{c.Name} {key}");
        }

        c.LoadStateInto(network);
        network.Eval();
        Conditioning conditioning = Conditioning.None;
        if (c.Contains("in.labels")) conditioning = Conditioning.FromClassLabels(c["in.labels"]);
        if (c.Contains("in.augment_labels")) conditioning = conditioning.With(ConditioningKeys.AugmentLabels, c["in.augment_labels"]);

        Tensor result = forward(conditioning);
        ReferenceCase.AssertClose(result, c["out.D"], $"{c.Name} out.D");
        more?.Invoke();

        result.Sub(c["in.target"]).Square().Sum().Backward();
        var parameters = network.NamedParameters().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        (string key, double error) worst = c.Gradients.Select(kv => (kv.Key, ReferenceCase.RelativeError(parameters[kv.Key].Grad!, kv.Value))).MaxBy(t => t.Item2);
        output.WriteLine(FormattableString.Invariant(
            $"{c.Name}: {c.Parameters} parameters, out.D relative error {ReferenceCase.RelativeError(result, c["out.D"]):E2}, worst gradient {worst.error:E2} ({worst.key})"));
        c.AssertGradients(network);
        parameters.Where(p => p.Value.Grad is not null).Select(p => p.Key).Should().BeEquivalentTo(c.Gradients.Keys, "exactly the parameters with a reference gradient get one");
    }
}
