using DiffusionCore.Torch;

namespace DiffusionCore.Labels.Tests;

/// <summary>The one label dropout (Ho &amp; Salimans 2022, §3.2) in both label conventions.</summary>
public sealed class LabelDropoutTests : IDisposable
{
    private readonly TensorScope _scope = new();

    public void Dispose() => _scope.Dispose();

    /// <summary>The oracle: sample i is dropped when the i-th uniform draw of the generator is below p.</summary>
    private static bool[] Dropped(ulong seed, int batch, double p)
    {
        using var g = new Generator(seed);
        return [.. Tensor.Rand([batch], g).ToArray<float>().Select(u => u < p)];
    }

    [Fact]
    public void One_hot_rows_are_zeroed_where_the_draw_is_below_p()
    {
        Tensor indices = Tensor.FromArray(Enumerable.Range(0, 64).Select(i => (long)(i % 5)).ToArray());
        Tensor oneHot = indices.OneHot(5).To(DType.Float32);
        using var g = new Generator(21);
        float[] rows = LabelDropout.Apply(oneHot, 0.3, g).ToArray<float>();
        bool[] dropped = Dropped(21, 64, 0.3);
        float[] original = oneHot.ToArray<float>();
        for (int i = 0; i < 64; i++)
        {
            rows.Skip(5 * i).Take(5).Should().Equal(dropped[i] ? new float[5] : original.Skip(5 * i).Take(5), $"row {i}");
        }

        dropped.Count(d => d).Should().BeInRange(5, 40);
    }

    [Fact]
    public void Indices_become_the_null_label_for_the_same_samples()
    {
        long[] labels = [.. Enumerable.Range(0, 64).Select(i => (long)(i % 5))];
        using var g = new Generator(21);
        long[] got = LabelDropout.Apply(Tensor.FromArray(labels), 0.3, g, nullLabel: 5).ToArray<long>();
        bool[] dropped = Dropped(21, 64, 0.3);
        got.Should().Equal(labels.Select((l, i) => dropped[i] ? 5L : l), "both conventions drop the same samples for the same generator state");
    }

    [Fact]
    public void Zero_draws_nothing_one_drops_everything()
    {
        Tensor labels = Tensor.FromArray(new long[] { 0, 1, 2 });
        using var g = new Generator(3);
        LabelDropout.Apply(labels, 0, g, nullLabel: 3).ToArray<long>().Should().Equal(0, 1, 2);
        float next = Tensor.Rand([1], g).ToSingle();
        using var fresh = new Generator(3);
        next.Should().Be(Tensor.Rand([1], fresh).ToSingle(), "p = 0 does not touch the generator");
        LabelDropout.Apply(labels, 1, g, nullLabel: 3).ToArray<long>().Should().Equal(3, 3, 3);
    }

    [Fact]
    public void The_conditioning_overload_drops_only_the_class_labels_and_keeps_the_rest()
    {
        using var dropout = new Generator(1);
        Tensor augment = Tensor.Ones([2, 9]);
        Conditioning c = Conditioning.FromClassLabels(Tensor.Ones([2, 3])).With(ConditioningKeys.AugmentLabels, augment).WithDropoutGenerator(dropout);
        using var g = new Generator(4);
        Conditioning dropped = LabelDropout.Apply(c, 1, g);
        dropped.ClassLabels!.ToArray<float>().Should().OnlyContain(v => v == 0);
        dropped.AugmentLabels.Should().BeSameAs(augment);
        dropped.DropoutGenerator.Should().BeSameAs(dropout);
        LabelDropout.Apply(Conditioning.None, 1, g).Should().BeSameAs(Conditioning.None);
    }

    [Fact]
    public void Bad_input_names_the_problem()
    {
        using var g = new Generator(1);
        FluentActions.Invoking(() => LabelDropout.Apply(Tensor.FromArray(new long[] { 1 }), 0.1, g))
            .Should().Throw<ArgumentException>().WithMessage("*null label*");
        FluentActions.Invoking(() => LabelDropout.Apply(Tensor.Ones([2]), 1.5, g))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[0, 1]*");
        FluentActions.Invoking(() => LabelDropout.Apply(Tensor.Ones([2]), double.NaN, g))
            .Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => LabelDropout.Apply(Tensor.FromArray(new long[] { 1 }, 1, 1), 0.1, g, 3))
            .Should().Throw<ArgumentException>().WithMessage("*integer class indices [B]*");
    }
}
