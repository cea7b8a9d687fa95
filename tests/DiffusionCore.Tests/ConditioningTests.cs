using DiffusionCore.Torch;

namespace DiffusionCore.Tests;

public class ConditioningTests
{
    [Fact]
    public void Carries_named_tensors_immutably()
    {
        using var scope = new TensorScope();
        Tensor labels = Tensor.FromArray(new long[] { 1, 2, 3 });
        Tensor aug = Tensor.Zeros([3, 9]);
        Conditioning c = Conditioning.FromClassLabels(labels);
        Conditioning c2 = c.With(ConditioningKeys.AugmentLabels, aug).With("my_custom", Tensor.Ones([3, 4]));
        c.Names.Should().Equal(ConditioningKeys.ClassLabels);
        c2.Names.Should().Equal(ConditioningKeys.AugmentLabels, ConditioningKeys.ClassLabels, "my_custom");
        c2.ClassLabels.Should().BeSameAs(labels);
        c2.AugmentLabels.Should().BeSameAs(aug);
        c2.TextEmbeddings.Should().BeNull();
        c2.Without("my_custom").Names.Should().HaveCount(2);
        Conditioning.None.IsEmpty.Should().BeTrue();
        FluentActions.Invoking(() => c.Get("text_tokens")).Should().Throw<KeyNotFoundException>().WithMessage("*'text_tokens'*class_labels*");
    }

    [Fact]
    public void Batch_operations_concatenate_and_slice_every_entry()
    {
        using var scope = new TensorScope();
        Conditioning a = Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 1, 2 })).With("ctrl", Tensor.Zeros([2, 3]));
        Conditioning b = Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 9, 9 })).With("ctrl", Tensor.Ones([2, 3]));
        Conditioning both = Conditioning.Cat([a, b]);
        both.ClassLabels!.ToArray<long>().Should().Equal(1, 2, 9, 9);
        both.Get("ctrl").Shape.Should().Equal(4, 3);
        both.Narrow(2, 2).ClassLabels!.ToArray<long>().Should().Equal(9, 9);
        both.ValidateBatch(4);
        FluentActions.Invoking(() => both.ValidateBatch(3)).Should().Throw<ArgumentException>().WithMessage("*'class_labels'*3 samples*");
        FluentActions.Invoking(() => Conditioning.Cat([a, Conditioning.None])).Should().Throw<ArgumentException>().WithMessage("*different entries*");
    }

    [Fact]
    public void Invalid_entries_are_rejected()
    {
        using var scope = new TensorScope();
        FluentActions.Invoking(() => new Conditioning([KeyValuePair.Create(" ", Tensor.Zeros([1]))])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => Conditioning.None.With("x", Tensor.Scalar(1)).ValidateBatch(1)).Should().Throw<ArgumentException>().WithMessage("*'x'*");
    }

    [Fact]
    public void The_dropout_generator_travels_with_every_copy_and_slice()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        Conditioning c = Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 1, 2 })).WithDropoutGenerator(g);
        c.DropoutGenerator.Should().BeSameAs(g);
        c.With("ctrl", Tensor.Zeros([2, 3])).DropoutGenerator.Should().BeSameAs(g);
        c.Without(ConditioningKeys.ClassLabels).DropoutGenerator.Should().BeSameAs(g);
        c.Narrow(1, 1).DropoutGenerator.Should().BeSameAs(g);
        Conditioning.Cat([c, c]).DropoutGenerator.Should().BeSameAs(g);
        c.WithDropoutGenerator(g).Should().BeSameAs(c);
        c.WithDropoutGenerator(null).DropoutGenerator.Should().BeNull();
        c.WithDropoutGenerator(null).Names.Should().Equal(c.Names, "the generator is not an entry");
        Conditioning.None.DropoutGenerator.Should().BeNull();

        using var other = new Generator(2);
        FluentActions.Invoking(() => Conditioning.Cat([c, c.WithDropoutGenerator(other)]))
            .Should().Throw<ArgumentException>().WithMessage("*different dropout generators*");
    }
}
