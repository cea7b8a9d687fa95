using DiffusionCore.Control;
using DiffusionCore.Networks.Control;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Networks.Edm;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Networks.Tests.DiT;
using DiffusionCore.Networks.Tests.Edm;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Tests.Control;

/// <summary>The gated control-metadata path (Berrada et al. 2024; docs/control-conditioning.md) in every network family.</summary>
public sealed class ControlPathTests : IDisposable
{
    private readonly TensorScope _scope = new();

    public void Dispose() => _scope.Dispose();

    private static ControlConditioningOptions Controls(IControlGate gate) => new() { Width = 3, Gate = gate };

    private static Edm2UNetOptions Edm2(ControlConditioningOptions? control) => new()
    {
        ImgResolution = 8, ImgChannels = 1, LabelDim = 4, ModelChannels = 16, ChannelMult = [1, 2], NumBlocks = 1,
        AttentionResolutions = [], Dropout = 0, Control = control,
    };

    /// <summary>One network of each family with the given control path, weights randomised so every path is live.</summary>
    public static TheoryData<string> Families => new() { "dit", "edm2", "ddpm++", "adm" };

    private static (Module Network, Tensor Input, Tensor NoiseLabels, Conditioning Conditioning) Build(string family, ControlConditioningOptions? control, double sigma)
    {
        using var g = new Generator(3);
        (Module net, Tensor input, Tensor noise, Conditioning c) = family switch
        {
            "dit" => ((Module)new DiffusionTransformer(DiTTestModels.Tiny with { Control = control }, g), TinyEdm.Images(1, 2, 4, 8),
                DiscreteScheduleTimestep(sigma), Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 1, 2 }))),
            "edm2" => (new Edm2UNet(Edm2(control), g), TinyEdm.Images(1, 2, 1, 8), Tensor.Full([2], Math.Log(sigma) / 4),
                Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 1, 2 }))),
            "ddpm++" => (new SongUNet(TinyEdm.Song with { Control = control }, g), TinyEdm.Images(1), Tensor.Full([2], Math.Log(sigma) / 4), TinyEdm.Labels()),
            _ => (new DhariwalUNet(TinyEdm.Adm with { Control = control }, g), TinyEdm.Images(1), Tensor.Full([2], Math.Log(sigma) / 4), TinyEdm.Labels()),
        };
        TinyEdm.Randomize(net);
        if (net is Edm2UNet)
        {
            // EDM2's scalar gains (out_gain, emb_gain) start at zero, which would hide the output and the embedding.
            using var noGrad = new NoGradScope();
            foreach (Tensor p in net.Parameters().Where(p => p.Dim == 0)) p.FillInPlace(1);
        }

        net.Eval();
        return (net, input, noise, c);
    }

    private static Tensor DiscreteScheduleTimestep(double sigma) =>
        Tensor.Full([2], Schedules.DiscreteSchedule.Linear().SigmaToTimestep(sigma));

    private static Tensor Run(Module net, Tensor input, Tensor noise, Conditioning c) => ((IDiffusionNetwork)net).Forward(input, noise, c);

    private static Conditioning WithControls(Conditioning c, params double[] values) =>
        c.With(ConditioningKeys.ControlMetadata, Tensor.FromArray(values.Select(v => (float)v).ToArray(), 2, 3));

    [Theory]
    [MemberData(nameof(Families))]
    public void A_zero_gate_makes_the_network_ignore_the_controls_exactly(string family)
    {
        var (net, x, noise, c) = Build(family, Controls(ConstantControlGate.Off), sigma: 1);
        using (net)
        {
            float[] neutral = Run(net, x, noise, c).ToArray<float>();
            float[] controlled = Run(net, x, noise, WithControls(c, 1, 0.4, -0.3, 0, 0.2, 0.4)).ToArray<float>();
            controlled.Should().Equal(neutral);
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void The_cosine_gate_ignores_controls_at_high_noise_and_uses_them_at_low_noise(string family)
    {
        foreach ((double sigma, bool acts) in new[] { (20.0, false), (0.2, true) })
        {
            var (net, x, noise, c) = Build(family, Controls(new CosineControlGate(0.1, 10)), sigma);
            using (net)
            {
                float[] neutral = Run(net, x, noise, c).ToArray<float>();
                float[] controlled = Run(net, x, noise, WithControls(c, 1, 0.4, -0.3, 0, 0.2, 0.4)).ToArray<float>();
                if (acts) controlled.Should().NotEqual(neutral, $"σ = {sigma} has gate > 0");
                else controlled.Should().Equal(neutral, $"σ = {sigma} ≥ σ_hi has gate exactly 0");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void The_control_path_is_built_last_so_reference_weights_and_keys_are_unchanged(string family)
    {
        var (plain, _, _, _) = Build(family, null, 1);
        var (controlled, _, _, _) = Build(family, Controls(new CosineControlGate()), 1);
        using (plain)
        using (controlled)
        {
            var a = plain.StateDict();
            var b = controlled.StateDict();
            b.Keys.Where(k => !k.StartsWith("control_embedder.", StringComparison.Ordinal)).Should().Equal(a.Keys);
            b.Keys.Should().Contain(k => k.StartsWith("control_embedder.", StringComparison.Ordinal));
            a.Keys.Should().NotContain(k => k.Contains("control", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void A_control_vector_of_the_wrong_width_is_a_clear_error(string family)
    {
        var (net, x, noise, c) = Build(family, Controls(new CosineControlGate()), 1);
        using (net)
        {
            Conditioning bad = c.With(ConditioningKeys.ControlMetadata, Tensor.Zeros([2, 5]));
            FluentActions.Invoking(() => Run(net, x, noise, bad)).Should().Throw<ArgumentException>()
                .WithMessage("*[B = 2, M = 3]*ControlConditioningOptions.Width*[2, 5]*");
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Controls_given_to_a_network_without_a_control_path_are_a_clear_error(string family)
    {
        var (net, x, noise, c) = Build(family, null, 1);
        using (net)
        {
            FluentActions.Invoking(() => Run(net, x, noise, WithControls(c, 0, 0, 0, 0, 0, 0))).Should().Throw<ArgumentException>()
                .WithMessage("*no control path*Control = new ControlConditioningOptions*");
        }
    }

    [Fact]
    public void The_control_features_are_the_documented_sinusoids()
    {
        double[] f = ControlEmbedder.Features(Tensor.FromArray(new[] { 0.25f, -1f }, 1, 2), 2).To(DType.Float64).ToArray<double>();
        double[] expected = [0.25, -1, Math.Sin(Math.PI * 0.25), Math.Sin(-Math.PI), Math.Cos(Math.PI * 0.25), Math.Cos(-Math.PI),
            Math.Sin(2 * Math.PI * 0.25), Math.Sin(-2 * Math.PI), Math.Cos(2 * Math.PI * 0.25), Math.Cos(-2 * Math.PI)];
        f.Should().HaveCount(10);
        for (int i = 0; i < 10; i++) f[i].Should().BeApproximately(expected[i], 1e-6);
    }
}
