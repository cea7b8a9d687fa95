using DiffusionCore.Networks.Tests.UViT;
using DiffusionCore.Networks.UViT;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests;

/// <summary>The U-ViT fixtures (baofff/U-ViT's libs/uvit.py, written by generate_uvit.py).</summary>
public partial class ReferenceConfigurationTests
{
    private static readonly string[] UViTNames = ["uvit_conditional_conv", "uvit_unconditional_no_conv", "uvit_no_skip"];

    public static TheoryData<string> UViTFixtures() => new(UViTNames);

    [Theory]
    [MemberData(nameof(UViTFixtures))]
    public void UViT_matches_the_reference(string name)
    {
        using ReferenceCase c = ReferenceCase.Load(name);
        using var g = new Generator(1);
        using var uvit = new UViTNetwork(UViTTestModels.OptionsFrom(c.Config), g);
        Check(c, uvit, conditioning => uvit.Forward(c["in.x"], c["in.t"], conditioning));
    }
}
