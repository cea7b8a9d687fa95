using DiffusionCore.Torch;

namespace DiffusionCore.Labels.Tests;

/// <summary>The one class-label resolution of the EDM-family networks and the encoding of dataset labels.</summary>
public sealed class ClassLabelsTests : IDisposable
{
    private readonly TensorScope _scope = new();

    public void Dispose() => _scope.Dispose();

    [Fact]
    public void Indices_floats_and_absent_labels_resolve_to_one_hot_rows()
    {
        ClassLabels.OneHot(Tensor.FromArray(new long[] { 2, 0 }), 3, 2, Device.Cpu).ToArray<float>().Should().Equal(0, 0, 1, 1, 0, 0);
        ClassLabels.OneHot(Tensor.FromArray(new int[] { 1 }), 3, 1, Device.Cpu).ToArray<float>().Should().Equal(0, 1, 0);
        Tensor soft = Tensor.FromArray(new[] { 0.25, 0.75, 0 }).Reshape(1, 3);
        Tensor resolved = ClassLabels.OneHot(soft, 3, 4, Device.Cpu);
        resolved.DType.Should().Be(DType.Float32);
        resolved.Shape.Should().Equal(1, 3);
        resolved.ToArray<float>().Should().Equal(0.25f, 0.75f, 0);
        ClassLabels.OneHot(null, 3, 2, Device.Cpu).ToArray<float>().Should().Equal(new float[6], "absent labels are the unconditional zero rows");
    }

    [Fact]
    public void Wrong_labels_are_rejected_with_the_expected_form()
    {
        FluentActions.Invoking(() => ClassLabels.OneHot(Tensor.Zeros([2, 7]), 10, 2, Device.Cpu))
            .Should().Throw<ArgumentException>().WithMessage("*one-hot floats [2, 10]*got [2, 7]*");
        FluentActions.Invoking(() => ClassLabels.OneHot(Tensor.FromArray(new long[] { 3, 10 }), 10, 2, Device.Cpu))
            .Should().Throw<ArgumentException>().WithMessage("*[0, 10)*got values in [3, 10]*");
        FluentActions.Invoking(() => ClassLabels.OneHot(Tensor.FromArray(new long[] { 1 }), 10, 2, Device.Cpu))
            .Should().Throw<ArgumentException>().WithMessage("*indices [2]*");
        FluentActions.Invoking(() => ClassLabels.OneHot(Tensor.Zeros([2, 3], DType.Bool), 3, 2, Device.Cpu))
            .Should().Throw<ArgumentException>().WithMessage("*one-hot floats*");
    }

    [Fact]
    public void Dataset_labels_are_encoded_as_indices_or_one_hot_rows()
    {
        Tensor labels = Tensor.FromArray(new long[] { 1, 0 });
        ClassLabels.Encode(labels, 2, ClassLabelFormat.Indices).ToArray<long>().Should().Equal(1, 0);
        Tensor oneHot = ClassLabels.Encode(labels, 2, ClassLabelFormat.OneHot);
        oneHot.DType.Should().Be(DType.Float32);
        oneHot.ToArray<float>().Should().Equal(0, 1, 1, 0);
        FluentActions.Invoking(() => ClassLabels.Encode(Tensor.Ones([2]), 2, ClassLabelFormat.Indices))
            .Should().Throw<ArgumentException>().WithMessage("*integer class indices [B]*");
    }
}
