using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests;

public class ReferenceCaseTests
{
    [Theory]
    [InlineData("edm2_unet_tiny")]
    [InlineData("edm_ddpmpp_tiny")]
    [InlineData("edm_adm_tiny")]
    [InlineData("dit_tiny")]
    public void Every_fixture_has_config_state_inputs_outputs_and_gradients(string name)
    {
        using ReferenceCase c = ReferenceCase.Load(name);
        c.Config.ValueKind.Should().Be(System.Text.Json.JsonValueKind.Object);
        c.Parameters.Should().BePositive();
        c.State.Should().NotBeEmpty();
        c.Gradients.Keys.Should().BeSubsetOf(c.State.Keys);
        c["in.x"].Dim.Should().Be(4);
        c["out.D"].Shape[0].Should().Be(c["in.x"].Shape[0]);
    }

    [Fact]
    public void AssertClose_fails_beyond_the_tolerance()
    {
        using var scope = new TensorScope();
        Tensor b = Tensor.FromArray(new float[] { 1, 2, 3 });
        ReferenceCase.AssertClose(b + 1e-5, b, "close");
        Action far = () => ReferenceCase.AssertClose(b + 1e-3, b, "far");
        far.Should().Throw<Exception>().WithMessage("*far*");
    }
}
