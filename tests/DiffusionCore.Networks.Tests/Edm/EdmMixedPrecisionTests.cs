using DiffusionCore.Denoisers;
using DiffusionCore.Networks.Edm;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Tests.Edm;

/// <summary>Forward and backward under CPU bfloat16 autocast give finite values close to float32.</summary>
public class EdmMixedPrecisionTests
{
    [Fact]
    public void SongUNet_runs_in_bfloat16_autocast()
    {
        using ReferenceCase c = ReferenceCase.Load("edm_ddpmpp_tiny");
        using var net = new PreconditionedNetwork<SongUNet>(new SongUNet(EdmFixtureConfig.SongUNet(c.Config), new Generator(1)), new EdmPreconditioning());
        Check(c, net);
    }

    [Fact]
    public void DhariwalUNet_runs_in_bfloat16_autocast()
    {
        using ReferenceCase c = ReferenceCase.Load("edm_adm_tiny");
        using var net = new PreconditionedNetwork<DhariwalUNet>(new DhariwalUNet(EdmFixtureConfig.DhariwalUNet(c.Config), new Generator(1)), new EdmPreconditioning());
        Check(c, net);
    }

    private static void Check<TNetwork>(ReferenceCase c, PreconditionedNetwork<TNetwork> net)
        where TNetwork : Module, IDiffusionNetwork
    {
        c.LoadStateInto(net);
        net.Eval();
        using var scope = new TensorScope();
        Tensor d;
        using (new AutocastScope(DeviceType.Cpu, DType.BFloat16))
        {
            d = net.Denoise(c["in.x"], c["in.sigma"], Conditioning.FromClassLabels(c["in.labels"]));
            d.Sub(c["in.target"]).Square().Sum().Backward();
        }

        d.DType.Should().Be(DType.Float32);
        d.IsFinite().All().ToBoolean().Should().BeTrue();
        ReferenceCase.AssertClose(d, c["out.D"], "bfloat16 out.D", tolerance: 0.1);
        TinyEdm.MaxAbsDiff(d, c["out.D"]).Should().BePositive("autocast runs the convolutions in bfloat16");
        foreach ((string name, Tensor p) in net.NamedParameters())
        {
            Tensor? grad = p.Grad;
            grad.Should().NotBeNull(name);
            grad!.IsFinite().All().ToBoolean().Should().BeTrue($"the gradient of {name} is finite");
        }
    }
}
