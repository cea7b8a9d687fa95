using DiffusionCore.Torch.Interop;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Crashes;

/// <summary>
/// Issue 16, items 2 and 3: native calls that take raw tensor pointers (arrays, optional arguments) hold a reference on
/// every handle for the duration of the call, and gather the pointers of any number of tensors off the stack.
/// </summary>
public class DisposeDuringOperationTests
{
    [Fact]
    public void Disposing_inputs_on_another_thread_during_an_operation_never_crashes_the_process()
    {
        CrashProbeResult result = CrashProbeProcess.Run("dispose-race");
        result.ExitCode.Should().Be(0, $"every round must end in a result or an ObjectDisposedException ({result})");
        result.Output.Should().StartWith("ok:").And.Contain("refused with ObjectDisposedException");
    }

    [Fact]
    public void Stacking_one_and_a_half_million_tensors_on_the_main_thread_does_not_overflow_the_stack()
    {
        CrashProbeResult result = CrashProbeProcess.Run("stack-many");
        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("stacked [1500000, 1], concatenated [1500000], sum 1500000");
    }

    [Fact]
    public void A_disposed_tensor_in_a_list_is_refused_and_the_references_taken_before_it_are_released()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.Ones([2]), b = Tensor.Ones([2]), c = Tensor.Ones([2]);
        b.Dispose();

        Action cat = () => Tensor.Cat([a, b, c]);
        cat.Should().Throw<ObjectDisposedException>().WithMessage("*MoveToOuterScope*");

        // The lease released a's reference: disposing a now closes its handle (a leaked reference would keep it open).
        TensorHandle handle = a.AcquireHandle();
        handle.DangerousRelease();
        a.Dispose();
        handle.IsClosed.Should().BeTrue();
        Tensor.Cat([c, c]).Shape.Should().Equal(4);
    }

    [Fact]
    public void Optional_arguments_are_referenced_like_required_ones()
    {
        using var scope = new TensorScope();
        Tensor x = Tensor.Ones([2, 3]), w = Tensor.Ones([4, 3]), bias = Tensor.Ones([4]);
        Functional.Linear(x, w, bias).ToArray<float>().Should().AllBeEquivalentTo(4f);
        Functional.Linear(x, w).ToArray<float>().Should().AllBeEquivalentTo(3f);
        bias.Dispose();
        Action disposedBias = () => Functional.Linear(x, w, bias);
        disposedBias.Should().Throw<ObjectDisposedException>();
    }
}

/// <summary>The lease's deferred free, observed through the process-wide native tensor count.</summary>
[Collection(SerialTests.Name)]
public class TensorHandleLeaseTests
{
    [Fact]
    public void A_tensor_disposed_while_leased_is_freed_when_the_lease_ends()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Tensor t = Tensor.Ones([3]).DetachFromScope();
        long live = Torch.LiveTensorCount;
        var lease = new TensorHandleLease([t, null]);
        try
        {
            lease.Pointers[1].Should().Be(IntPtr.Zero, "a null entry passes as a null pointer");
            t.Dispose();
            t.IsDisposed.Should().BeTrue();
            Torch.LiveTensorCount.Should().Be(live, "the native tensor stays alive while the lease references it");
        }
        finally
        {
            lease.Dispose();
        }

        Torch.LiveTensorCount.Should().Be(live - 1, "releasing the last reference frees the native tensor");
    }
}
