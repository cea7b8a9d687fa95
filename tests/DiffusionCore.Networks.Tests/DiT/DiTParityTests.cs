using DiffusionCore.Networks.DiT;
using DiffusionCore.Torch;
using Xunit.Abstractions;

namespace DiffusionCore.Networks.Tests.DiT;

/// <summary>Parity with the PyTorch reference (facebookresearch/DiT) through the dit_tiny fixture.</summary>
public class DiTParityTests(ITestOutputHelper output)
{
    [Fact]
    public void Config_builds_a_network_with_the_reference_keys_shapes_and_parameter_count()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using var gen = new Generator(1);
        using var model = new DiffusionTransformer(DiTTestModels.OptionsFrom(reference.Config), gen);
        using var scope = new TensorScope();

        var state = model.StateDict();
        state.Keys.Should().BeEquivalentTo(reference.State.Keys);
        foreach ((string key, Tensor expected) in reference.State)
        {
            state[key].Shape.Should().Equal(expected.Shape, key);
        }

        reference.AssertParameterCount(model);
        model.PositionEmbeddingParameter.RequiresGrad.Should().BeFalse("pos_embed is a fixed, non-trainable parameter in the reference");
        model.NumParameters(trainableOnly: true).Should().Be(reference.Parameters - model.PositionEmbeddingParameter.NumElements);
    }

    [Fact]
    public void Output_and_gradients_match_the_reference()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using DiffusionTransformer model = DiTTestModels.LoadedTiny(reference);
        using var scope = new TensorScope();

        Tensor d = model.Forward(reference["in.x"], reference["in.t"], reference["in.labels"]);
        output.WriteLine($"out.D max relative error {ReferenceCase.RelativeError(d, reference["out.D"]):G3}");
        ReferenceCase.AssertClose(d, reference["out.D"], "out.D");

        d.Sub(reference["in.target"]).Square().Sum().Backward();
        double worst = 0;
        string worstKey = string.Empty;
        var parameters = model.NamedParameters().ToDictionary(p => p.Key, p => p.Value);
        foreach ((string key, Tensor expected) in reference.Gradients)
        {
            double e = ReferenceCase.RelativeError(parameters[key].Grad!, expected);
            if (e > worst)
            {
                (worst, worstKey) = (e, key);
            }
        }

        output.WriteLine($"worst gradient relative error {worst:G3} ({worstKey})");
        reference.AssertGradients(model, 1e-4);
        model.PositionEmbeddingParameter.Grad.Should().BeNull("the fixed position embedding takes no gradient");
    }

    [Fact]
    public void Conditioning_forward_equals_the_typed_forward()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using DiffusionTransformer model = DiTTestModels.LoadedTiny(reference);
        using var scope = new TensorScope();

        Tensor typed = model.Forward(reference["in.x"], reference["in.t"], reference["in.labels"]);
        Tensor viaInterface = ((IDiffusionNetwork)model).Forward(reference["in.x"], reference["in.t"], Conditioning.FromClassLabels(reference["in.labels"]));
        viaInterface.Sub(typed).Abs().Max().ToDouble().Should().Be(0);
    }
}
