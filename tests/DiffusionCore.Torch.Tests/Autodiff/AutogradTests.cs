using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Autodiff;

/// <summary>Backward, .Grad bookkeeping, Detach/IsLeaf and functional Autograd.Grad.</summary>
public class AutogradTests
{
    [Fact]
    public void Backward_with_an_explicit_gradient_weights_a_non_scalar_output()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2, 3]).RequiresGradInPlace();
        Tensor y = x * x;
        y.Backward(T64.Of([1, 10, 100]));
        x.Grad!.ShouldBeClose([2, 40, 600], 0);
    }

    [Fact]
    public void Backward_without_gradient_on_a_non_scalar_output_is_rejected()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2, 3]).RequiresGradInPlace();
        Action act = () => (x * 2.0).Backward();
        act.Should().Throw<TorchArgumentException>().WithMessage("*only for scalar outputs*");
    }

    [Fact]
    public void RetainGraph_allows_a_second_backward_which_accumulates()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2]).RequiresGradInPlace();
        Tensor y = (x * x * x).Sum();
        y.Backward(retainGraph: true);
        x.Grad!.ShouldBeClose([3, 12], 0);
        y.Backward();
        x.Grad!.ShouldBeClose([6, 24], 0);
    }

    [Fact]
    public void A_second_backward_without_retained_graph_fails_with_a_readable_message()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2]).RequiresGradInPlace();
        Tensor y = (x.Exp() * x).Sum();
        y.Backward();
        Action again = () => y.Backward();
        again.Should().Throw<TorchException>().WithMessage("*backward through the graph a second time*")
            .Which.Message.Should().NotContain("Exception raised from");
    }

    [Fact]
    public void Gradients_of_two_separate_graphs_accumulate_in_Grad()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2, 3]).RequiresGradInPlace();
        (x * 2.0).Sum().Backward();
        x.Grad!.ShouldBeClose([2, 2, 2], 0);
        x.Square().Sum().Backward();
        x.Grad!.ShouldBeClose([4, 6, 8], 0);
    }

    [Fact]
    public void SetGrad_null_clears_and_SetGrad_tensor_replaces()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2]).RequiresGradInPlace();
        x.Grad.Should().BeNull("no backward has run yet");
        x.Sum().Backward();
        x.Grad.Should().NotBeNull();
        x.SetGrad(null);
        x.Grad.Should().BeNull();
        (x * 3.0).Sum().Backward();
        x.Grad!.ShouldBeClose([3, 3], 0, "accumulation restarts from nothing after SetGrad(null)");
        x.SetGrad(T64.Of([10, 20]));
        x.Sum().Backward();
        x.Grad!.ShouldBeClose([11, 21], 0);
    }

    [Fact]
    public void Grad_returns_a_handle_to_the_same_gradient_tensor()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2]).RequiresGradInPlace();
        x.Sum().Backward();
        Tensor g1 = x.Grad!;
        g1.MulInPlace(5.0); // zero_grad-style in-place edits reach the stored gradient
        x.Grad!.ShouldBeClose([5, 5], 0);
    }

    [Fact]
    public void Detach_cuts_the_graph_but_shares_storage()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2]).RequiresGradInPlace();
        Tensor y = x * 2.0;
        Tensor d = y.Detach();
        d.RequiresGrad.Should().BeFalse();
        d.IsLeaf.Should().BeTrue();
        y.RequiresGrad.Should().BeTrue();
        d.AddInPlace(1.0);
        y.ShouldBeClose([3, 5], 0, "a detached tensor shares storage with its source");
        Tensor z = (y * d).Sum(); // d is a constant for autograd
        z.Backward();
        x.Grad!.ShouldBeClose([6, 10], 0);
    }

    [Fact]
    public void DetachInPlace_turns_a_non_leaf_into_a_leaf()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2]).RequiresGradInPlace();
        Tensor y = x * 2.0;
        y.IsLeaf.Should().BeFalse();
        y.DetachInPlace().Should().BeSameAs(y);
        y.IsLeaf.Should().BeTrue();
        y.RequiresGrad.Should().BeFalse();
    }

    [Fact]
    public void IsLeaf_and_RequiresGrad_follow_torch_rules()
    {
        using var scope = new TensorScope();
        Tensor plain = T64.Of([1, 2]);
        plain.IsLeaf.Should().BeTrue();
        plain.RequiresGrad.Should().BeFalse();
        Tensor x = T64.Of([1, 2]).RequiresGradInPlace();
        x.IsLeaf.Should().BeTrue();
        Tensor y = x + plain;
        y.IsLeaf.Should().BeFalse();
        y.RequiresGrad.Should().BeTrue();
        (plain * 2.0).IsLeaf.Should().BeTrue("results that do not require grad are leaves");
        x.RequiresGrad = false;
        x.RequiresGrad.Should().BeFalse();
    }

    [Fact]
    public void Turning_off_RequiresGrad_on_a_non_leaf_is_refused_rather_than_ignored()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2]).RequiresGradInPlace();
        Tensor y = x * 2.0;
        Action act = () => y.RequiresGrad = false;
        act.Should().Throw<TorchException>().WithMessage("*only change requires_grad flags of leaf variables*");
        y.RequiresGrad.Should().BeTrue();
    }

    [Fact]
    public void Integer_tensors_cannot_require_grad()
    {
        using var scope = new TensorScope();
        Action act = () => Tensor.Zeros([2], DType.Int64).RequiresGrad = true;
        act.Should().Throw<TorchDTypeException>().WithMessage("*floating point*");
    }

    [Fact]
    public void Grad_with_createGraph_gives_the_second_derivative_of_x_cubed()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([-1.5, 0.5, 2]).RequiresGradInPlace();
        Tensor y = x.Pow(3.0).Sum();
        Tensor dy = Autograd.Grad([y], [x], createGraph: true)[0]!;
        dy.ShouldBeClose([6.75, 0.75, 12], 1e-12);
        dy.RequiresGrad.Should().BeTrue("createGraph records the gradient computation itself");
        Tensor d2y = Autograd.Grad([dy.Sum()], [x])[0]!;
        d2y.ShouldBeClose([-9, 3, 12], 1e-12); // 6x
        x.Grad.Should().BeNull("Autograd.Grad does not accumulate into .Grad");
    }

    [Fact]
    public void Grad_of_several_outputs_and_inputs_with_grad_outputs()
    {
        using var scope = new TensorScope();
        Tensor a = T64.Of([1, 2]).RequiresGradInPlace();
        Tensor b = T64.Of([3, 4]).RequiresGradInPlace();
        Tensor?[] g = Autograd.Grad([a * b, a.Sum()], [a, b], [T64.Of([1, 2]), null]);
        g[0]!.ShouldBeClose([3 * 1 + 1, 4 * 2 + 1], 0);
        g[1]!.ShouldBeClose([1, 4], 0);
    }

    [Fact]
    public void Grad_with_allowUnused_returns_null_for_unused_inputs_and_refuses_otherwise()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2]).RequiresGradInPlace();
        Tensor unused = T64.Of([3]).RequiresGradInPlace();
        Tensor?[] g = Autograd.Grad([x.Square().Sum()], [x, unused], retainGraph: true, allowUnused: true);
        g[0]!.ShouldBeClose([2, 4], 0);
        g[1].Should().BeNull();
        Action strict = () => Autograd.Grad([x.Square().Sum()], [x, unused]);
        strict.Should().Throw<TorchException>().WithMessage("*allow_unused*");
    }

    [Fact]
    public void Grad_rejects_a_grad_outputs_list_of_the_wrong_length()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2]).RequiresGradInPlace();
        Action act = () => Autograd.Grad([x.Sum()], [x], [null, null]);
        act.Should().Throw<ArgumentException>().WithParameterName("gradOutputs");
    }

    [Fact]
    public void Backward_through_a_tensor_without_grad_is_a_typed_error()
    {
        using var scope = new TensorScope();
        Action act = () => T64.Of([1, 2]).Sum().Backward();
        act.Should().Throw<TorchArgumentException>().WithMessage("*does not require grad*");
    }
}
