using DiffusionCore.Networks.DiT;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.DiT;

/// <summary>Class conditioning, label dropout and the null label (Peebles &amp; Xie 2023, §3.2; Ho &amp; Salimans 2022).</summary>
public class DiTConditioningTests
{
    [Fact]
    public void Label_dropout_is_determined_by_the_generator()
    {
        using var init = new Generator(0);
        using var embedder = new LabelEmbedder(10, 8, 0.1, init);
        using var scope = new TensorScope();
        Tensor labels = Tensor.Arange(10_000).Remainder(10L);

        using var g1 = new Generator(42);
        using var g2 = new Generator(42);
        using var g3 = new Generator(43);
        Tensor a = embedder.DropLabels(labels, g1);
        Tensor b = embedder.DropLabels(labels, g2);
        Tensor c = embedder.DropLabels(labels, g3);

        a.Eq(b).All().ToBoolean().Should().BeTrue("the same generator state drops the same labels");
        a.Eq(c).All().ToBoolean().Should().BeFalse();
        Tensor dropped = a.Ne(labels);
        a.MaskedSelect(dropped).Eq(10L).All().ToBoolean().Should().BeTrue("dropped labels become the null label");
        dropped.To(DType.Float64).Mean().ToDouble().Should().BeApproximately(0.1, 0.01);
    }

    [Fact]
    public void Training_forward_drops_labels_with_the_dropout_generator()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using DiffusionTransformer model = DiTTestModels.LoadedTiny(reference);
        using var scope = new TensorScope();
        Tensor x = reference["in.x"].Repeat(4, 1, 1, 1), t = reference["in.t"].Repeat(4), y = reference["in.labels"].Repeat(4);

        model.Train();
        using var g1 = new Generator(11);
        Tensor trained = model.Forward(x, t, y, g1);
        using var g2 = new Generator(11);
        Tensor again = ((IDiffusionNetwork)model).Forward(x, t, Conditioning.FromClassLabels(y).WithDropoutGenerator(g2));
        again.Sub(trained).Abs().Max().ToDouble().Should().Be(0, "the same generator state gives the same dropout");

        using var g3 = new Generator(11);
        Tensor dropped = model.LabelEmbedder!.DropLabels(y, g3);
        model.Eval();
        Tensor expected = model.Forward(x, t, dropped);
        trained.Sub(expected).Abs().Max().ToDouble().Should().BeLessThan(1e-6, "training differs from evaluation only by the dropped labels");
        using var g4 = new Generator(11);
        Tensor evaluated = model.Forward(x, t, y, g4);
        model.Forward(x, t, y).Sub(evaluated).Abs().Max().ToDouble().Should().Be(0, "evaluation never drops labels");
    }

    [Fact]
    public void Training_without_a_dropout_generator_fails_clearly()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using DiffusionTransformer model = DiTTestModels.LoadedTiny(reference);
        model.Train();
        using var scope = new TensorScope();
        Action act = () => model.Forward(reference["in.x"], reference["in.t"], reference["in.labels"]);
        act.Should().Throw<InvalidOperationException>().WithMessage("*DropoutGenerator*");
    }

    [Fact]
    public void Null_labels_give_the_unconditional_branch_for_guidance()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using DiffusionTransformer model = DiTTestModels.LoadedTiny(reference);
        using var scope = new TensorScope();
        Tensor x = reference["in.x"], t = reference["in.t"];
        Tensor nullLabels = model.NullLabels(3);
        nullLabels.ToArray<long>().Should().Equal(10, 10, 10);

        Tensor conditional = model.Forward(x, t, Tensor.FromArray(new long[] { 3, 3, 3 }));
        Tensor unconditional = model.Forward(x, t, nullLabels);
        conditional.Sub(unconditional).Abs().Max().ToDouble().Should().BeGreaterThan(1e-4);
        // One batched call with [labels; null labels] gives both branches, as a CFG decorator evaluates them.
        Tensor both = model.Forward(Tensor.Cat([x, x]), Tensor.Cat([t, t]), Tensor.Cat([Tensor.FromArray(new long[] { 3, 3, 3 }), nullLabels]));
        both.Narrow(0, 3, 3).Sub(unconditional).Abs().Max().ToDouble().Should().BeLessThan(1e-5);
    }

    [Fact]
    public void A_class_conditional_network_requires_labels_in_the_conditioning()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using DiffusionTransformer model = DiTTestModels.LoadedTiny(reference);
        using var scope = new TensorScope();
        Action act = () => ((IDiffusionNetwork)model).Forward(reference["in.x"], reference["in.t"], Conditioning.None);
        act.Should().Throw<ArgumentException>().WithMessage("*class_labels*null label 10*");
    }

    [Fact]
    public void An_unconditional_network_has_no_label_table_and_ignores_conditioning_labels()
    {
        using var gen = new Generator(4);
        using var model = new DiffusionTransformer(DiTTestModels.Tiny with { NumClasses = 0 }, gen);
        model.Train();
        using var scope = new TensorScope();
        model.LabelEmbedder.Should().BeNull();
        model.StateDict().Keys.Should().NotContain(k => k.StartsWith("y_embedder", StringComparison.Ordinal));
        Tensor x = Tensor.Randn([2, 4, 8, 8], gen);
        Tensor t = Tensor.FromArray(new float[] { 1, 2 });

        model.Forward(x, t).Shape.Should().Equal(2, 8, 8, 8);
        ((IDiffusionNetwork)model).Forward(x, t, Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 1, 2 }))).Shape.Should().Equal(2, 8, 8, 8);
        Action labels = () => model.Forward(x, t, Tensor.FromArray(new long[] { 1, 2 }));
        labels.Should().Throw<ArgumentException>().WithMessage("*unconditional*");
        Action nullLabels = () => model.NullLabels(2);
        nullLabels.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Without_label_dropout_the_table_has_no_null_row()
    {
        using var gen = new Generator(4);
        using var model = new DiffusionTransformer(DiTTestModels.Tiny with { ClassDropoutProbability = 0 }, gen);
        using var scope = new TensorScope();
        model.GetParameter("y_embedder.embedding_table.weight")!.Shape.Should().Equal(10, 64);
        Tensor x = Tensor.Randn([1, 4, 8, 8], gen);
        Action act = () => model.Forward(x, Tensor.FromArray(new float[] { 1 }), Tensor.FromArray(new long[] { 10 }));
        act.Should().Throw<ArgumentException>().WithMessage("*[0, 9]*no null label*");
    }
}
