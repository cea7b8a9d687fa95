using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Optim;

namespace DiffusionCore.Torch.Tests.Nn;

public class ModuleConversionTests
{
    [Fact]
    public void To_float64_casts_floating_tensors_in_place_and_keeps_integer_buffers()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var m = new WithCounter(g);
        Tensor weight = m.Lin.Weight;
        float[] before = weight.ToArray<float>();
        m.Lin.Forward(Tensor.Ones([1, 3])).Sum().Backward();

        m.To(DType.Float64);

        ReferenceEquals(m.Lin.Weight, weight).Should().BeTrue("parameters keep their identity, as with param.data = …");
        weight.DType.Should().Be(DType.Float64);
        weight.RequiresGrad.Should().BeTrue();
        weight.IsLeaf.Should().BeTrue();
        weight.Grad!.DType.Should().Be(DType.Float64);
        m.Lin.Bias!.DType.Should().Be(DType.Float64);
        m.GetBuffer("running")!.DType.Should().Be(DType.Float64);
        m.GetBuffer("count")!.DType.Should().Be(DType.Int64);
        weight.ToArray<double>().Should().Equal(before.Select(v => (double)v));
        m.Lin.Forward(Tensor.Ones([1, 3], DType.Float64)).DType.Should().Be(DType.Float64);
    }

    [Fact]
    public void An_optimizer_built_before_To_keeps_working_after_it()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var lin = new Linear(3, 1, generator: g);
        using var opt = new Adam(lin.Parameters(), new AdamOptions { LearningRate = 0.1 });
        lin.To(DType.Float64);
        lin.ZeroGrad();
        lin.Forward(Tensor.Ones([2, 3], DType.Float64)).Sum().Backward();
        double before = lin.Bias!.ToDouble();
        opt.Step();
        lin.Bias!.ToDouble().Should().BeApproximately(before - 0.1, 1e-7);
        opt.StateDict().Tensors["state.0.exp_avg"].DType.Should().Be(DType.Float64);
    }

    [Fact]
    public void To_rejects_integer_dtypes()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var lin = new Linear(3, 1, generator: g);
        FluentActions.Invoking(() => lin.To(DType.Int32)).Should().Throw<ArgumentException>().WithMessage("*floating-point*");
        lin.To(Device.Cpu).Should().BeSameAs(lin);
    }
}
