using DiffusionCore.Networks.DiT;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.DiT;

/// <summary>The adaLN-Zero initialisation (Peebles &amp; Xie 2023, §3.2).</summary>
public class DiTInitialisationTests
{
    [Fact]
    public void Output_is_exactly_zero_at_initialisation()
    {
        using var gen = new Generator(7);
        using var model = new DiffusionTransformer(DiTTestModels.Tiny, gen);
        model.Eval();
        using var scope = new TensorScope();
        using var data = new Generator(8);
        Tensor x = Tensor.Randn([3, 4, 8, 8], data);
        Tensor t = Tensor.FromArray(new float[] { 0, 500, 999 });
        Tensor y = Tensor.FromArray(new long[] { 0, 9, 10 });

        Tensor output = model.Forward(x, t, y);
        output.Shape.Should().Equal(3, 8, 8, 8);
        output.Abs().Max().ToDouble().Should().Be(0.0, "the final linear and every adaLN modulation start at zero");
        output.Eq(0.0).All().ToBoolean().Should().BeTrue();
    }

    [Fact]
    public void Weights_follow_the_reference_initialisation()
    {
        using var gen = new Generator(7);
        using var model = new DiffusionTransformer(DiTTestModels.Tiny with { Depth = 1, HiddenSize = 256, NumHeads = 4 }, gen);
        using var scope = new TensorScope();
        double Std(string key) => model.GetParameter(key)!.Std().ToDouble();
        double MaxAbs(string key) => model.GetParameter(key)!.Abs().Max().ToDouble();

        // Xavier-uniform: bound √(6/(fan_in + fan_out)).
        MaxAbs("blocks.0.attn.qkv.weight").Should().BeLessThanOrEqualTo(Math.Sqrt(6.0 / (256 + 768)));
        Std("blocks.0.attn.qkv.weight").Should().BeApproximately(Math.Sqrt(2.0 / (256 + 768)), 0.002);
        MaxAbs("blocks.0.attn.qkv.bias").Should().Be(0);
        // Patch embedding as a linear on the flattened patch: fan_in = C·p² = 16, fan_out = D = 256.
        MaxAbs("x_embedder.proj.weight").Should().BeLessThanOrEqualTo(Math.Sqrt(6.0 / (16 + 256)));
        Std("x_embedder.proj.weight").Should().BeApproximately(Math.Sqrt(2.0 / (16 + 256)), 0.01);
        // N(0, 0.02²) label table and timestep MLP weights; zero biases.
        Std("y_embedder.embedding_table.weight").Should().BeApproximately(0.02, 0.002);
        Std("t_embedder.mlp.0.weight").Should().BeApproximately(0.02, 0.001);
        Std("t_embedder.mlp.2.weight").Should().BeApproximately(0.02, 0.001);
        MaxAbs("t_embedder.mlp.0.bias").Should().Be(0);
        // adaLN-Zero.
        foreach (string key in new[] { "blocks.0.adaLN_modulation.1.weight", "blocks.0.adaLN_modulation.1.bias", "final_layer.adaLN_modulation.1.weight",
                     "final_layer.adaLN_modulation.1.bias", "final_layer.linear.weight", "final_layer.linear.bias" })
        {
            MaxAbs(key).Should().Be(0, key);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights()
    {
        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        using var a = new DiffusionTransformer(DiTTestModels.Tiny, g1);
        using var b = new DiffusionTransformer(DiTTestModels.Tiny, g2);
        using var scope = new TensorScope();
        foreach ((string key, Tensor value) in a.NamedParameters())
        {
            value.Sub(b.GetParameter(key)!).Abs().Max().ToDouble().Should().Be(0, key);
        }
    }
}
