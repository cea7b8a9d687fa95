using DiffusionCore.Torch.Optim;

namespace DiffusionCore.Torch.Tests.Optim;

public class OptimizerTests
{
    [Fact]
    public void Parameters_may_belong_to_one_group_only_and_must_be_leaves()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.Zeros([2]).RequiresGradInPlace();
        Tensor b = Tensor.Zeros([2]).RequiresGradInPlace();
        FluentActions.Invoking(() => new Adam([new ParameterGroup([a, b], new AdamOptions()), new ParameterGroup([b], new AdamOptions())]))
            .Should().Throw<ArgumentException>().WithMessage("*more than once*");
        FluentActions.Invoking(() => new Adam([a, a])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new Adam([a * 2])).Should().Throw<ArgumentException>().WithMessage("*not a leaf*");
        FluentActions.Invoking(() => new Adam(Array.Empty<Tensor>())).Should().Throw<ArgumentException>().WithMessage("*empty parameter list*");
        FluentActions.Invoking(() => new Adam([new ParameterGroup([a], new SgdOptions())])).Should().Throw<ArgumentException>().WithMessage("*Adam needs AdamOptions*");
    }

    [Fact]
    public void AddParameterGroup_extends_training_to_new_parameters()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.Ones([1]).RequiresGradInPlace();
        Tensor b = Tensor.Ones([1]).RequiresGradInPlace();
        using var sgd = new Sgd([a], new SgdOptions { LearningRate = 0.5 });
        sgd.AddParameterGroup(new ParameterGroup([b], new SgdOptions { LearningRate = 0.25 }));
        (a + b).Sum().Backward();
        sgd.Step();
        a.ToSingle().Should().Be(0.5f);
        b.ToSingle().Should().Be(0.75f);
        FluentActions.Invoking(() => sgd.AddParameterGroup(new ParameterGroup([a], new SgdOptions()))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void ZeroGrad_sets_to_none_by_default_or_zeroes_in_place()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.Ones([3]).RequiresGradInPlace();
        using var adam = new Adam([a]);
        (a * 2).Sum().Backward();
        adam.ZeroGrad(setToNone: false);
        a.Grad!.ToArray<float>().Should().Equal(0f, 0f, 0f);
        adam.ZeroGrad();
        a.Grad.Should().BeNull();
    }

    [Fact]
    public void Optimizer_state_is_owned_by_the_optimizer_not_the_step_scope()
    {
        Tensor p = Tensor.Ones([4]).RequiresGradInPlace();
        using var owner = p;
        using var adam = new Adam([p]);
        using (new TensorScope())
        {
            p.Square().Sum().Backward();
            adam.Step();
        }

        using (new TensorScope())
        {
            adam.StateDict().Tensors.Should().HaveCount(2);
            adam.StateDict().Tensors.Values.Should().OnlyContain(t => !t.IsDisposed);
        }

        adam.ZeroGrad();
        adam.Step(); // no gradients: nothing happens
        adam.Dispose();
        p.IsDisposed.Should().BeFalse("the optimizer does not own the parameters");
        FluentActions.Invoking(() => adam.Step()).Should().Throw<ObjectDisposedException>();
    }
}
