using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Ops;

/// <summary>The gradient checker itself must fail on a wrong gradient, or its passes prove nothing.</summary>
public class GradCheckSelfTests
{
    [Fact]
    public void A_gradient_cut_by_Detach_is_reported()
    {
        using var scope = new TensorScope();
        // d/dx (detach(x)·x) = x for autograd, but 2x numerically.
        GradCheck.Report r = GradCheck.Compare(t => t[0].Detach() * t[0], [T64.Randn(601, 2, 3)]);
        r.Checked.Should().Be(6);
        r.Failures.Should().NotBeEmpty();
        r.Failures[0].Should().Contain("analytic").And.Contain("numeric");
    }

    [Fact]
    public void An_input_without_influence_is_reported_when_nonzero_gradients_are_required()
    {
        using var scope = new TensorScope();
        GradCheck.Report r = GradCheck.Compare(t => t[0] * 2.0 + t[1].Mul(0.0), [T64.Randn(602, 3), T64.Randn(603, 3)]);
        r.Failures.Should().ContainSingle().Which.Should().Contain("input 1");
    }

    [Fact]
    public void A_correct_gradient_passes_with_a_small_error()
    {
        using var scope = new TensorScope();
        GradCheck.Report r = GradCheck.Compare(t => t[0].Exp() * t[1], [T64.Randn(604, 4), T64.Randn(605, 4)]);
        r.Failures.Should().BeEmpty();
        r.MaxError.Should().BeLessThan(1e-7);
        r.Checked.Should().Be(8);
    }
}
