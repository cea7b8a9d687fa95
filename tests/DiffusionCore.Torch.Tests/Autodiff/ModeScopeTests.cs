using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Autodiff;

/// <summary>NoGradScope, InferenceModeScope and AutocastScope: what they record and how nesting restores state.</summary>
public class ModeScopeTests
{
    [Fact]
    public void NoGradScope_records_no_graph_and_restores_grad_mode()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2]).RequiresGradInPlace();
        Autograd.IsGradEnabled.Should().BeTrue();
        Tensor inside;
        using (new NoGradScope())
        {
            Autograd.IsGradEnabled.Should().BeFalse();
            inside = x * 2.0;
        }

        inside.RequiresGrad.Should().BeFalse();
        inside.IsLeaf.Should().BeTrue();
        Autograd.IsGradEnabled.Should().BeTrue();
        (x * 2.0).RequiresGrad.Should().BeTrue();
    }

    [Fact]
    public void Nested_NoGradScopes_restore_the_state_each_found()
    {
        var outer = new NoGradScope();
        var inner = new NoGradScope();
        Autograd.IsGradEnabled.Should().BeFalse();
        inner.Dispose();
        Autograd.IsGradEnabled.Should().BeFalse("the outer scope is still open");
        inner.Dispose(); // a second dispose is a no-op
        Autograd.IsGradEnabled.Should().BeFalse();
        outer.Dispose();
        Autograd.IsGradEnabled.Should().BeTrue();
    }

    [Fact]
    public void InferenceModeScope_records_no_graph_and_restores_on_exit()
    {
        using var scope = new TensorScope();
        Tensor x = T64.Of([1, 2]).RequiresGradInPlace();
        Tensor inside;
        using (new InferenceModeScope())
        {
            Autograd.IsGradEnabled.Should().BeFalse();
            inside = x * 2.0;
            inside.RequiresGrad.Should().BeFalse();
            using (new InferenceModeScope())
            {
                (x + 1.0).RequiresGrad.Should().BeFalse();
            }

            Autograd.IsGradEnabled.Should().BeFalse("the outer inference scope is still open");
        }

        Autograd.IsGradEnabled.Should().BeTrue();
        (x * 2.0).RequiresGrad.Should().BeTrue();
        inside.ShouldBeClose([2, 4], 0);
    }

    [Fact]
    public void Inference_tensors_cannot_be_saved_for_backward_later()
    {
        using var scope = new TensorScope();
        Tensor t;
        using (new InferenceModeScope())
        {
            t = T64.Of([1, 2]) * 1.0;
        }

        Tensor w = T64.Of([3, 4]).RequiresGradInPlace();
        Action act = () => (t * w).Sum().Backward();
        act.Should().Throw<TorchException>().WithMessage("*Inference tensors cannot be saved for backward*");
    }

    [Fact]
    public void NoGradScope_inside_InferenceModeScope_and_back()
    {
        using (new InferenceModeScope())
        {
            using (new NoGradScope())
            {
                Autograd.IsGradEnabled.Should().BeFalse();
            }

            Autograd.IsGradEnabled.Should().BeFalse();
        }

        Autograd.IsGradEnabled.Should().BeTrue();
    }

    [Fact]
    public void AutocastScope_runs_float32_matmul_in_bfloat16_on_cpu_only_inside_the_scope()
    {
        using var scope = new TensorScope();
        using var g = new Generator(701);
        Tensor a = Tensor.Randn([3, 4], g);
        Tensor b = Tensor.Randn([4, 2], g);
        a.MatMul(b).DType.Should().Be(DType.Float32);
        using (new AutocastScope())
        {
            Tensor c = a.MatMul(b);
            c.DType.Should().Be(DType.BFloat16);
            c.To(DType.Float32).ShouldBeClose(a.MatMul(b).To(DType.Float32), 0.1);
            a.Add(b.Sum()).DType.Should().Be(DType.Float32, "elementwise ops are not autocast");
        }

        a.MatMul(b).DType.Should().Be(DType.Float32);
    }

    [Fact]
    public void Nested_disabled_AutocastScope_restores_the_enabled_outer_state()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.Ones([2, 2]);
        using (new AutocastScope())
        {
            using (new AutocastScope(enabled: false))
            {
                a.MatMul(a).DType.Should().Be(DType.Float32);
            }

            a.MatMul(a).DType.Should().Be(DType.BFloat16);
        }

        a.MatMul(a).DType.Should().Be(DType.Float32);
    }

    [Fact]
    public void AutocastScope_gradients_flow_back_to_float32_leaves()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.Ones([2, 3]).RequiresGradInPlace();
        Tensor b = Tensor.Full([3, 2], 0.5).RequiresGradInPlace();
        using (new AutocastScope())
        {
            a.MatMul(b).Sum().Backward();
        }

        a.Grad!.DType.Should().Be(DType.Float32);
        a.Grad!.ShouldBeClose([1, 1, 1, 1, 1, 1], 0);
    }

    [Fact]
    public void AutocastScope_rejects_unsupported_dtypes()
    {
        Action fp32 = () => _ = new AutocastScope(DeviceType.Cpu, DType.Float32);
        fp32.Should().Throw<ArgumentException>().WithParameterName("dtype");
        Action cpuHalf = () => _ = new AutocastScope(DeviceType.Cpu, DType.Float16);
        cpuHalf.Should().Throw<ArgumentException>().WithMessage("*bfloat16*");
    }
}
