using DiffusionCore.Denoisers;
using DiffusionCore.Networks.Edm;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using Xunit.Abstractions;

namespace DiffusionCore.Networks.Tests.Edm;

/// <summary>
/// Parity with the EDM reference (EDMPrecond around SongUNet / DhariwalUNet) on the tiny fixtures: same state-dict keys
/// and shapes, same D(x; σ) and same parameter gradients of sum((D − target)²) within 1e-4 relative.
/// </summary>
public class EdmParityTests(ITestOutputHelper output)
{
    [Fact]
    public void SongUNet_ddpmpp_matches_the_reference_output_gradients_and_count()
    {
        using ReferenceCase c = ReferenceCase.Load("edm_ddpmpp_tiny");
        using var net = new PreconditionedNetwork<SongUNet>(new SongUNet(EdmFixtureConfig.SongUNet(c.Config), new Generator(1)), new EdmPreconditioning());
        CheckParity(c, net);
    }

    [Fact]
    public void DhariwalUNet_adm_matches_the_reference_output_gradients_and_count()
    {
        using ReferenceCase c = ReferenceCase.Load("edm_adm_tiny");
        using var net = new PreconditionedNetwork<DhariwalUNet>(new DhariwalUNet(EdmFixtureConfig.DhariwalUNet(c.Config), new Generator(1)), new EdmPreconditioning());
        CheckParity(c, net);
    }

    [Theory]
    [InlineData("edm_ddpmpp_tiny")]
    [InlineData("edm_adm_tiny")]
    public void The_resample_filter_buffers_equal_the_box_kernel(string name)
    {
        using ReferenceCase c = ReferenceCase.Load(name);
        using var scope = new TensorScope();
        Tensor box = ResampleFilter.Box.CreateKernel();
        var filters = c.State.Where(kv => kv.Key.EndsWith(".resample_filter", StringComparison.Ordinal)).ToList();
        filters.Should().NotBeEmpty();
        foreach ((string key, Tensor f) in filters)
        {
            f.ToArray<float>().Should().Equal(box.ToArray<float>(), key);
        }
    }

    [Fact]
    public void The_fir_kernel_is_the_normalised_outer_product()
    {
        using var scope = new TensorScope();
        float[] k = ResampleFilter.Fir.CreateKernel().ToArray<float>();
        float[] taps = [1, 3, 3, 1];
        k.Should().Equal(taps.SelectMany(a => taps.Select(b => a * b / 64f)));
    }

    private void CheckParity<TNetwork>(ReferenceCase c, PreconditionedNetwork<TNetwork> net)
        where TNetwork : Module, IDiffusionNetwork
    {
        c.AssertParameterCount(net);
        c.LoadStateInto(net);
        net.Eval();
        using var scope = new TensorScope();
        Tensor d = net.Denoise(c["in.x"], c["in.sigma"], Conditioning.FromClassLabels(c["in.labels"]));
        output.WriteLine($"{c.Name}: out.D max relative error {ReferenceCase.RelativeError(d, c["out.D"]):G3}");
        ReferenceCase.AssertClose(d, c["out.D"], "out.D");

        d.Sub(c["in.target"]).Square().Sum().Backward();
        var parameters = net.NamedParameters().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        (string key, double err) worst = c.Gradients
            .Select(kv => (kv.Key, ReferenceCase.RelativeError(parameters[kv.Key].Grad!, kv.Value)))
            .MaxBy(t => t.Item2);
        output.WriteLine($"{c.Name}: worst gradient {worst.key} max relative error {worst.err:G3}");
        c.AssertGradients(net);
    }
}
