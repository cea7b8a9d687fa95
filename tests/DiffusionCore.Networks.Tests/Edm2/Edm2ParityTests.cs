using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;
using Xunit.Abstractions;

namespace DiffusionCore.Networks.Tests.Edm2;

/// <summary>Parity with the PyTorch EDM2 reference on the edm2_unet_tiny fixture (outputs, log-variance, gradients, count).</summary>
public class Edm2ParityTests(ITestOutputHelper output)
{
    [Fact]
    public void Parameter_count_and_state_dict_keys_equal_the_reference()
    {
        using ReferenceCase c = ReferenceCase.Load(Edm2Fixture.Name);
        using var g = new Generator(1);
        using var d = new Edm2Denoiser(Edm2Fixture.Options(c), g);
        c.AssertParameterCount(d);
        d.StateDict().Keys.Should().BeEquivalentTo(c.State.Keys);
    }

    [Fact]
    public void Denoiser_log_variance_and_gradients_match_the_reference_in_eval_mode()
    {
        using ReferenceCase c = ReferenceCase.Load(Edm2Fixture.Name);
        using Edm2Denoiser d = Edm2Fixture.LoadDenoiser(c);
        d.Eval();
        using var scope = new TensorScope();

        Tensor dOut = d.Denoise(c["in.x"], c["in.sigma"], Conditioning.FromClassLabels(c["in.labels"]));
        Tensor logvar = d.LogVariance(c["in.sigma"]);
        ReferenceCase.AssertClose(dOut, c["out.D"], "out.D");
        ReferenceCase.AssertClose(logvar.Flatten(), c["out.logvar"], "out.logvar");
        logvar.Shape.Should().Equal(3, 1, 1, 1);

        dOut.Sub(c["in.target"]).Square().Sum().Backward();
        c.AssertGradients(d);

        double worst = 0;
        string worstKey = string.Empty;
        var parameters = d.NamedParameters().ToDictionary(p => p.Key, p => p.Value);
        foreach ((string key, Tensor expected) in c.Gradients)
        {
            double e = ReferenceCase.RelativeError(parameters[key].Grad!, expected);
            if (e > worst) (worst, worstKey) = (e, key);
        }

        output.WriteLine(FormattableString.Invariant(
            $"rel err D {ReferenceCase.RelativeError(dOut, c["out.D"]):E2}, logvar {ReferenceCase.RelativeError(logvar.Flatten(), c["out.logvar"]):E2}, worst grad {worst:E2} ({worstKey})"));
    }

    [Fact]
    public void Integer_class_indices_give_the_same_output_as_one_hot_labels()
    {
        using ReferenceCase c = ReferenceCase.Load(Edm2Fixture.Name);
        using Edm2Denoiser d = Edm2Fixture.LoadDenoiser(c);
        d.Eval();
        using var scope = new TensorScope();
        using var noGrad = new NoGradScope();
        Tensor indices = c["in.labels"].ArgMax(1);
        Tensor a = d.Denoise(c["in.x"], c["in.sigma"], Conditioning.FromClassLabels(indices));
        Tensor b = d.Denoise(c["in.x"], c["in.sigma"], Conditioning.FromClassLabels(c["in.labels"]));
        a.Eq(b).All().ToBoolean().Should().BeTrue();
    }
}
