using DiffusionCore.Torch;

namespace DiffusionCore.Torch.Tests;

public class SmokeTests
{
    [Fact]
    public void Library_loads_and_reports_libtorch_version()
    {
        Torch.Version.Should().StartWith("1.");
        Torch.AbiVersion.Should().Be(9);
    }

    [Fact]
    public void Add_broadcasts_and_round_trips()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Tensor b = Tensor.FromArray(new float[] { 10, 20, 30 }, 3);
        Tensor c = a + b * 2;
        c.Shape.Should().Equal(2, 3);
        c.ToArray<float>().Should().Equal(21, 42, 63, 24, 45, 66);
    }

    [Fact]
    public void Shape_mismatch_raises_typed_exception()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.Zeros([2, 3]);
        Tensor b = Tensor.Zeros([4]);
        Action act = () => _ = a + b;
        act.Should().Throw<TorchShapeException>().WithMessage("*size of tensor a (3) must match the size of tensor b (4)*")
            .Which.Message.Should().NotContain("Exception raised from");
    }
}
