using DiffusionCore.Networks.DiT;
using DiffusionCore.Networks.Tests.Edm;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.DiT;

/// <summary>Class and text conditioning as attention tokens, masks, noisy replicate padding (docs/control-conditioning.md).</summary>
public sealed class DiTConditioningTokenTests : IDisposable
{
    private const int TextWidth = 6;
    private readonly TensorScope _scope = new();

    public void Dispose() => _scope.Dispose();

    private static DiffusionTransformer Build(DiTOptions options)
    {
        using var g = new Generator(5);
        var net = new DiffusionTransformer(options, g);
        TinyEdm.Randomize(net);
        net.Eval();
        return net;
    }

    private static DiTOptions Tokens(bool replicate = false) => DiTTestModels.Tiny with
    {
        ClassConditioning = DiTSemanticConditioning.Tokens, TextEmbeddingWidth = TextWidth, NoisyReplicatePadding = replicate,
    };

    private static Conditioning Text(Tensor text, Tensor? mask)
    {
        Conditioning c = Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 1, 7 })).With(ConditioningKeys.TextEmbeddings, text);
        return mask is null ? c : c.With(ConditioningKeys.TextMask, mask);
    }

    private static Tensor RandomText(ulong seed, int tokens = 4)
    {
        using var g = new Generator(seed);
        return Tensor.Randn([2, tokens, TextWidth], g);
    }

    [Fact]
    public void Token_conditioning_keeps_the_output_shape_and_adds_only_the_text_projection()
    {
        using DiffusionTransformer net = Build(Tokens());
        Tensor y = net.Forward(TinyEdm.Images(1, 2, 4, 8), Tensor.FromArray(new[] { 10f, 500f }), Text(RandomText(2), null));
        y.Shape.Should().Equal(2, 8, 8, 8);
        net.StateDict().Keys.Should().Contain(["text_embedder.weight", "text_embedder.bias", "y_embedder.embedding_table.weight"]);
    }

    [Fact]
    public void Class_tokens_condition_through_attention_not_the_adaln_vector()
    {
        using DiffusionTransformer net = Build(DiTTestModels.Tiny with { ClassConditioning = DiTSemanticConditioning.Tokens });
        Tensor x = TinyEdm.Images(1, 2, 4, 8);
        Tensor t = Tensor.FromArray(new[] { 10f, 500f });
        float[] a = net.Forward(x, t, Tensor.FromArray(new long[] { 1, 2 })).ToArray<float>();
        float[] b = net.Forward(x, t, Tensor.FromArray(new long[] { 3, 4 })).ToArray<float>();
        b.Should().NotEqual(a, "the class token takes part in attention");
    }

    [Fact]
    public void Masked_text_tokens_do_not_change_the_output()
    {
        using DiffusionTransformer net = Build(Tokens());
        Tensor x = TinyEdm.Images(1, 2, 4, 8);
        Tensor t = Tensor.FromArray(new[] { 10f, 500f });
        Tensor mask = Tensor.FromArray(new[] { true, true, false, false, true, true, true, false }, 2, 4);
        Tensor text = RandomText(2);
        Tensor otherPadding = Tensor.Where(mask.Unsqueeze(2), text, RandomText(3));
        float[] a = net.Forward(x, t, Text(text, mask)).ToArray<float>();
        float[] b = net.Forward(x, t, Text(otherPadding, mask)).ToArray<float>();
        b.Should().Equal(a);
        float[] unmasked = net.Forward(x, t, Text(otherPadding, null)).ToArray<float>();
        unmasked.Should().NotEqual(a, "without the mask the padding tokens are attended to");
    }

    [Fact]
    public void Replicate_padding_in_evaluation_copies_the_real_tokens_cyclically()
    {
        using DiffusionTransformer net = Build(Tokens(replicate: true));
        Tensor x = TinyEdm.Images(1, 2, 4, 8);
        Tensor t = Tensor.FromArray(new[] { 10f, 500f });
        Tensor text = RandomText(2, tokens: 5);
        Tensor mask = Tensor.FromArray(new[] { true, true, false, false, false, true, true, true, false, false }, 2, 5);
        // Sample 0 has n = 2 real tokens: padding j = 2, 3, 4 copies tokens 0, 1, 0; sample 1 (n = 3): j = 3, 4 copy 0, 1.
        Tensor s0 = text.Select(0, 0).IndexSelect(0, Tensor.FromArray(new long[] { 0, 1, 0, 1, 0 }));
        Tensor s1 = text.Select(0, 1).IndexSelect(0, Tensor.FromArray(new long[] { 0, 1, 2, 0, 1 }));
        Tensor replicated = Tensor.Stack([s0, s1]);
        float[] a = net.Forward(x, t, Text(text, mask)).ToArray<float>();
        float[] b = net.Forward(x, t, Text(replicated, null)).ToArray<float>();
        b.Should().Equal(a);
    }

    [Fact]
    public void Replicate_padding_in_training_adds_noise_from_the_dropout_generator_only()
    {
        using DiffusionTransformer net = Build(Tokens(replicate: true) with { ClassDropoutProbability = 0 });
        net.Train();
        Tensor x = TinyEdm.Images(1, 2, 4, 8);
        Tensor t = Tensor.FromArray(new[] { 10f, 500f });
        Tensor mask = Tensor.FromArray(new[] { true, true, false, false, true, true, true, true }, 2, 4);
        Conditioning c = Text(RandomText(2), mask);
        using var g1 = new Generator(11);
        using var g2 = new Generator(11);
        using var g3 = new Generator(12);
        float[] a = net.Forward(x, t, c.WithDropoutGenerator(g1)).ToArray<float>();
        float[] b = net.Forward(x, t, c.WithDropoutGenerator(g2)).ToArray<float>();
        float[] other = net.Forward(x, t, c.WithDropoutGenerator(g3)).ToArray<float>();
        b.Should().Equal(a, "the same generator state gives the same noise");
        other.Should().NotEqual(a);
        FluentActions.Invoking(() => net.Forward(x, t, c)).Should().Throw<InvalidOperationException>().WithMessage("*DropoutGenerator*");
    }

    [Fact]
    public void Bad_text_inputs_are_clear_errors()
    {
        using DiffusionTransformer net = Build(Tokens(replicate: true));
        Tensor x = TinyEdm.Images(1, 2, 4, 8);
        Tensor t = Tensor.FromArray(new[] { 10f, 500f });
        Tensor text = RandomText(2);
        FluentActions.Invoking(() => net.Forward(x, t, Text(text, Tensor.Ones([2, 3], DType.Bool))))
            .Should().Throw<ArgumentException>().WithMessage("*text mask must be bool [B, T] = [2, 4]*[2, 3]*");
        FluentActions.Invoking(() => net.Forward(x, t, Text(text, Tensor.Ones([2, 4]))))
            .Should().Throw<ArgumentException>().WithMessage("*text mask must be bool*");
        FluentActions.Invoking(() => net.Forward(x, t, Text(Tensor.Zeros([2, 4, 5]), null)))
            .Should().Throw<ArgumentException>().WithMessage("*E = 6*[2, 4, 5]*");
        FluentActions.Invoking(() => net.Forward(x, t, Text(text, Tensor.FromArray(new[] { false, true, true, true, true, true, true, true }, 2, 4))))
            .Should().Throw<ArgumentException>().WithMessage("*real text tokens first*");
        FluentActions.Invoking(() => net.Forward(x, t, Text(text, Tensor.FromArray(new[] { false, false, false, false, true, true, true, true }, 2, 4))))
            .Should().Throw<ArgumentException>().WithMessage("*at least one real text token*");
        using DiffusionTransformer plain = Build(DiTTestModels.Tiny);
        FluentActions.Invoking(() => plain.Forward(x, t, Text(text, null))).Should().Throw<ArgumentException>().WithMessage("*takes no text*");
    }

    [Fact]
    public void Token_options_are_validated()
    {
        FluentActions.Invoking(() => (DiTTestModels.Tiny with { NumClasses = 0, ClassConditioning = DiTSemanticConditioning.Tokens }).Validate())
            .Should().Throw<ArgumentException>().WithMessage("*class-conditional*");
        FluentActions.Invoking(() => (DiTTestModels.Tiny with { TextEmbeddingWidth = -1 }).Validate()).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => (DiTTestModels.Tiny with { ReplicatePaddingNoise = double.NaN }).Validate()).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Resolution_transfer_loads_a_low_resolution_checkpoint_and_resamples_the_position_embedding()
    {
        using DiffusionTransformer low = Build(DiTTestModels.Tiny);                             // 8×8 input, grid 4
        using var g = new Generator(9);
        using var high = new DiffusionTransformer(DiTTestModels.Tiny with { InputSize = 16 }, g); // grid 8
        DiTResolutionTransfer.Load(high, low.StateDict(), sourceInputSize: 8);
        foreach ((string key, Tensor value) in low.StateDict().Where(e => e.Key != "pos_embed"))
        {
            high.StateDict()[key].ToArray<float>().Should().Equal(value.ToArray<float>(), key);
        }

        // Token (r, c) of the 8×8 grid sits at (c·4/8, r·4/8): the closed-form sin-cos embedding at half-integer positions.
        double[] pos = high.PositionEmbeddingParameter.To(DType.Float64).ToArray<double>();
        const int d = 64, quarter = d / 4;
        for (int r = 0; r < 8; r++)
        {
            for (int c = 0; c < 8; c++)
            {
                for (int k = 0; k < quarter; k++)
                {
                    double omega = Math.Pow(10000.0, -(double)k / quarter);
                    double xPos = c * 0.5, yPos = r * 0.5;
                    double[] expected = [Math.Sin(xPos * omega), Math.Cos(xPos * omega), Math.Sin(yPos * omega), Math.Cos(yPos * omega)];
                    for (int part = 0; part < 4; part++)
                    {
                        pos[(((r * 8) + c) * d) + (part * quarter) + k].Should().BeApproximately(expected[part], 1e-6);
                    }
                }
            }
        }

        high.Eval();
        high.Forward(TinyEdm.Images(1, 2, 4, 16), Tensor.FromArray(new[] { 10f, 500f }), Tensor.FromArray(new long[] { 1, 2 })).Shape.Should().Equal(2, 8, 16, 16);
        FluentActions.Invoking(() => DiTResolutionTransfer.Load(high, low.StateDict(), sourceInputSize: 7)).Should().Throw<ArgumentException>().WithMessage("*multiple of the patch size*");
    }

    [Fact]
    public void Naive_extension_keeps_integer_positions()
    {
        using DiffusionTransformer low = Build(DiTTestModels.Tiny);
        using var g = new Generator(9);
        using var high = new DiffusionTransformer(DiTTestModels.Tiny with { InputSize = 16 }, g);
        DiTResolutionTransfer.Load(high, low.StateDict(), 8, PositionEmbeddingResampling.IntegerPositions);
        high.PositionEmbeddingParameter.ToArray<float>().Should().Equal(SinCosPositionEmbedding.Create2D(64, 8).ToArray<float>());
    }
}
