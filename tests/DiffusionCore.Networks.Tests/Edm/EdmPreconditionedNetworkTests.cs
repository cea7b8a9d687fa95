using DiffusionCore.Denoisers;
using DiffusionCore.Networks.Edm;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.Edm;

/// <summary>The module wrapper composes the core preconditionings exactly and exposes the reference key prefix.</summary>
public class EdmPreconditionedNetworkTests
{
    public static TheoryData<string> Preconditionings() => ["edm", "vp", "ve", "iddpm"];

    [Theory]
    [MemberData(nameof(Preconditionings))]
    public void Denoise_is_c_skip_x_plus_c_out_F(string kind)
    {
        Preconditioning p = kind switch
        {
            "edm" => new EdmPreconditioning(),
            "vp" => new VpPreconditioning(),
            "ve" => new VePreconditioning(),
            _ => new IddpmPreconditioning(),
        };
        using var g = new Generator(4);
        using var net = new PreconditionedNetwork<SongUNet>(new SongUNet(TinyEdm.Song, g), p);
        net.Eval();
        using var scope = new TensorScope();
        Tensor x = TinyEdm.Images(5);
        Tensor sigma = Tensor.FromArray(new float[] { 0.5f, 3f });
        Conditioning c = TinyEdm.Labels();

        Tensor d = net.Denoise(x, sigma, c);
        PreconditioningCoefficients k = p.Coefficients(sigma);
        Tensor f = net.Model.Forward(x * k.CIn.Reshape(-1, 1, 1, 1), k.CNoise, c);
        Tensor expected = (x * k.CSkip.Reshape(-1, 1, 1, 1)) + (f * k.COut.Reshape(-1, 1, 1, 1));
        TinyEdm.MaxAbsDiff(d, expected).Should().BeLessThan(1e-6);
        net.SigmaMin.Should().Be(p.SigmaMin);
        net.SigmaMax.Should().Be(p.SigmaMax);
    }

    [Fact]
    public void State_dict_keys_carry_the_model_prefix_and_train_mode_reaches_the_network()
    {
        using var g = new Generator(4);
        using var net = new PreconditionedNetwork<DhariwalUNet>(new DhariwalUNet(TinyEdm.Adm, g), new EdmPreconditioning());
        using var scope = new TensorScope();
        net.StateDict().Keys.Should().OnlyContain(k => k.StartsWith("model.", StringComparison.Ordinal));
        net.NumParameters().Should().Be(net.Model.NumParameters());
        net.Eval();
        net.Model.IsTraining.Should().BeFalse();
        net.Train();
        net.Model.GetSubmodule("enc.16x16_block0").IsTraining.Should().BeTrue();
    }
}
