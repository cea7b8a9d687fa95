using System.Runtime.CompilerServices;
using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Scopes;

/// <summary>
/// TensorScope ownership rules and native-memory accounting. Torch.LiveTensorCount is process-wide, so these run in
/// the serial collection, after flushing finalizers of tensors other tests may have abandoned.
/// </summary>
[Collection(SerialTests.Name)]
public class TensorScopeTests
{
    private static long Baseline()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Torch.LiveTensorCount;
    }

    [Fact]
    public void A_scope_disposes_every_tensor_created_inside_it()
    {
        long baseline = Baseline();
        Tensor before = Tensor.Ones([3]);
        Tensor a, b, c;
        Tensor[] parts;
        using (var scope = new TensorScope())
        {
            TensorScope.Current.Should().BeSameAs(scope);
            a = Tensor.Ones([3]);
            b = a * 2.0 + before;
            parts = b.Chunk(3);
            (c, Tensor idx) = b.Max(0);
            scope.Count.Should().Be(3 + 3 + 2, "Ones, Mul and Add make one tensor each; Chunk three; Max two");
            Torch.LiveTensorCount.Should().Be(baseline + 1 + scope.Count);
        }

        TensorScope.Current.Should().BeNull();
        new[] { a, b, c }.Concat(parts).Should().OnlyContain(t => t.IsDisposed);
        before.IsDisposed.Should().BeFalse("it was created before the scope opened");
        Torch.LiveTensorCount.Should().Be(baseline + 1);
        before.Dispose();
        Torch.LiveTensorCount.Should().Be(baseline);
    }

    [Fact]
    public void MoveToOuterScope_hands_a_tensor_to_the_enclosing_scope()
    {
        long baseline = Baseline();
        Tensor kept, temp;
        using (var outer = new TensorScope())
        {
            using (var inner = new TensorScope())
            {
                inner.Outer.Should().BeSameAs(outer);
                temp = Tensor.Ones([2]);
                kept = (temp * 3.0).MoveToOuterScope();
                inner.Count.Should().Be(1);
                outer.Count.Should().Be(1);
            }

            temp.IsDisposed.Should().BeTrue();
            kept.IsDisposed.Should().BeFalse();
            kept.ToArray<float>().Should().Equal(3f, 3f);
            TensorScope.Current.Should().BeSameAs(outer);
        }

        kept.IsDisposed.Should().BeTrue("the outer scope owned it");
        Torch.LiveTensorCount.Should().Be(baseline);
    }

    [Fact]
    public void MoveToOuterScope_without_an_outer_scope_makes_the_caller_the_owner()
    {
        long baseline = Baseline();
        Tensor result;
        using (new TensorScope())
        {
            result = Tensor.Ones([2]).MoveToOuterScope();
        }

        result.IsDisposed.Should().BeFalse();
        Torch.LiveTensorCount.Should().Be(baseline + 1);
        result.Dispose();
        Torch.LiveTensorCount.Should().Be(baseline);
    }

    [Fact]
    public void DetachFromScope_keeps_a_tensor_alive_until_disposed_by_hand()
    {
        long baseline = Baseline();
        Tensor detached;
        using (var outer = new TensorScope())
        {
            using (new TensorScope())
            {
                detached = Tensor.Zeros([4]).DetachFromScope();
            }

            outer.Count.Should().Be(0, "a detached tensor belongs to no scope, not to the outer one");
        }

        detached.IsDisposed.Should().BeFalse();
        detached.NumElements.Should().Be(4);
        detached.Dispose();
        Torch.LiveTensorCount.Should().Be(baseline);
    }

    [Fact]
    public void Nested_scopes_each_dispose_their_own_tensors()
    {
        long baseline = Baseline();
        using var outer = new TensorScope();
        Tensor o = Tensor.Ones([1]);
        Tensor i1;
        using (var inner = new TensorScope())
        {
            i1 = o + 1.0;
            using (var innermost = new TensorScope())
            {
                innermost.Outer.Should().BeSameAs(inner);
                _ = i1 * o;
                Torch.LiveTensorCount.Should().Be(baseline + 3);
            }

            Torch.LiveTensorCount.Should().Be(baseline + 2);
            i1.IsDisposed.Should().BeFalse();
        }

        i1.IsDisposed.Should().BeTrue();
        o.IsDisposed.Should().BeFalse();
        Torch.LiveTensorCount.Should().Be(baseline + 1);
    }

    [Fact]
    public void Disposing_an_outer_scope_while_an_inner_one_is_open_throws_and_changes_nothing()
    {
        long baseline = Baseline();
        var outer = new TensorScope();
        Tensor a = Tensor.Ones([1]);
        var inner = new TensorScope();
        Tensor b = Tensor.Ones([1]);
        Action early = () => outer.Dispose();
        early.Should().Throw<InvalidOperationException>().WithMessage("*innermost first*inner scope is still open*");
        a.IsDisposed.Should().BeFalse();
        TensorScope.Current.Should().BeSameAs(inner);
        inner.Dispose();
        b.IsDisposed.Should().BeTrue();
        outer.Dispose();
        a.IsDisposed.Should().BeTrue();
        outer.Dispose(); // twice is harmless
        TensorScope.Current.Should().BeNull();
        Torch.LiveTensorCount.Should().Be(baseline);
    }

    [Fact]
    public void A_scope_must_be_disposed_on_its_own_thread_and_sees_only_its_thread()
    {
        long baseline = Baseline();
        var scope = new TensorScope();
        Tensor? fromOtherThread = null;
        Exception? crossDispose = null;
        var worker = new Thread(() =>
        {
            TensorScope.Current.Should().BeNull("scopes are per thread");
            fromOtherThread = Tensor.Ones([2]);
            try
            {
                scope.Dispose();
            }
            catch (Exception ex)
            {
                crossDispose = ex;
            }
        });
        worker.Start();
        worker.Join();
        crossDispose.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("thread that opened it");
        scope.Dispose();
        fromOtherThread!.IsDisposed.Should().BeFalse("it was made on a thread without a scope");
        fromOtherThread.Dispose();
        Torch.LiveTensorCount.Should().Be(baseline);
    }

    [Fact]
    public void Explicitly_disposed_tensors_inside_a_scope_are_fine()
    {
        long baseline = Baseline();
        using (var scope = new TensorScope())
        {
            Tensor t = Tensor.Ones([2]);
            scope.Count.Should().Be(1);
            t.Dispose();
            scope.Count.Should().Be(0, "Count reports the tensors the scope will still dispose");
        }

        Torch.LiveTensorCount.Should().Be(baseline);
    }

    [Fact]
    public void LiveTensorCount_returns_to_baseline_after_a_scope_with_autograd_and_generators()
    {
        long baseline = Baseline();
        using (new TensorScope())
        {
            using var g = new Generator(3);
            Tensor w = Tensor.Randn([4, 3], g, DType.Float64).RequiresGradInPlace();
            Tensor x = Tensor.Randn([2, 4], g, DType.Float64);
            Tensor loss = x.MatMul(w).Tanh().Sum();
            Tensor?[] grads = DiffusionCore.Torch.Autograd.Grad([loss], [w], retainGraph: true);
            loss.Backward();
            _ = w.Grad;
            _ = grads[0]!.Split([1, 3], 0);
            byte[] state = g.GetState();
            g.SetState(state);
            Torch.LiveTensorCount.Should().BeGreaterThan(baseline);
        }

        Torch.LiveTensorCount.Should().Be(baseline);
    }

    [Fact]
    public void Ten_thousand_iterations_with_per_step_scopes_leave_LiveTensorCount_unchanged()
    {
        long baseline = Baseline();
        using var outer = new TensorScope();
        using var g = new Generator(4);
        Tensor x = Tensor.Randn([8], g);
        Tensor state = Tensor.Zeros([8]);
        long afterSetup = Torch.LiveTensorCount;
        afterSetup.Should().Be(baseline + 2);
        double total = 0;
        for (int i = 0; i < 10_000; i++)
        {
            using var step = new TensorScope();
            Tensor y = (x * 0.5 + 1.0).Tanh();
            total += y.Sum().ToDouble();
            Tensor next = (state * 0.9).Add(y, 0.1).MoveToOuterScope();
            state.Dispose(); // the previous state lives in the outer scope: free it as soon as it is replaced
            state = next;
            if (i % 2500 == 0)
            {
                Torch.LiveTensorCount.Should().Be(afterSetup + 5, "x·0.5, +1, tanh, sum and state·0.9 live in the step scope; the new state replaced the old");
            }
        }

        Torch.LiveTensorCount.Should().Be(afterSetup);
        total.Should().BeGreaterThan(0);
        outer.Count.Should().Be(2, "x and the last moved state are all the outer scope still has to dispose");
    }

    [Fact]
    public void A_scope_reuses_the_list_of_the_last_one_disposed_on_its_thread_without_mixing_up_ownership()
    {
        long baseline = Baseline();
        Tensor kept;
        var first = new TensorScope();
        Tensor a = Tensor.Ones([2]);
        first.Dispose();
        a.IsDisposed.Should().BeTrue();
        using (var second = new TensorScope())
        {
            Tensor b = Tensor.Ones([2]);
            Tensor c = b.Add(1.0);
            kept = c.Add(1.0).MoveToOuterScope();
            first.Count.Should().Be(0, "a disposed scope owns nothing, even when its list now serves the next scope");
            second.Count.Should().Be(2);
            b.IsDisposed.Should().BeFalse();
        }

        kept.IsDisposed.Should().BeFalse("a tensor moved out of the reusing scope is the caller's");
        kept.ToArray<float>().Should().Equal(3f, 3f);
        kept.Dispose();
        Torch.LiveTensorCount.Should().Be(baseline);
    }

    [Fact]
    public void A_stale_tensor_moved_out_of_scopes_that_are_gone_leaves_a_newer_scope_alone()
    {
        long baseline = Baseline();
        var outer = new TensorScope();
        var inner = new TensorScope();
        Tensor stale = Tensor.Ones([1]);
        stale.Dispose();
        for (int i = 0; i < 600; i++) Tensor.Ones([1]).Dispose();  // past the compaction threshold: stale leaves inner's list
        inner.Dispose();
        outer.Dispose();
        using (var newer = new TensorScope())  // reuses the list outer had
        {
            for (int i = 0; i < 300; i++) Tensor.Ones([1]);
            stale.MoveToOuterScope();  // inner.Outer is the disposed outer
            newer.Count.Should().Be(300);
        }

        Torch.LiveTensorCount.Should().Be(baseline, "the newer scope still disposes everything it created");
    }

    [Fact]
    public void A_scope_per_iteration_allocates_only_the_scope_object_and_the_tensor()
    {
        // The managed cost of `using var s = new TensorScope(); a.Add(b);`: the scope object and the result's Tensor and
        // handle (about 110 bytes), not a new list and array per scope as well (200 bytes before pooling).
        using var outer = new TensorScope();
        Tensor x = Tensor.Ones([4]);
        Tensor y = Tensor.Ones([4]);
        for (int i = 0; i < 1_000; i++)
        {
            using var warm = new TensorScope();
            x.Add(y);
        }

        const int Iterations = 10_000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Iterations; i++)
        {
            using var step = new TensorScope();
            x.Add(y);
        }

        double perIteration = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Iterations;
        perIteration.Should().BeLessThan(160);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference MoveOutAndDispose()
    {
        Tensor moved;
        using (new TensorScope())
        {
            moved = Tensor.Ones([1]).MoveToOuterScope();
        }

        moved.Dispose();
        return new WeakReference(moved);
    }

    [Fact]
    public void A_long_lived_scope_does_not_keep_disposed_tensors_reachable()
    {
        using var outer = new TensorScope();
        // Enough moved-and-disposed tensors to pass any compaction threshold.
        var refs = Enumerable.Range(0, 5000).Select(_ => MoveOutAndDispose()).ToList();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        refs.Count(r => r.IsAlive).Should().BeLessThan(1000, "a scope must not grow without bound when its tensors are disposed early");
        outer.Count.Should().Be(0);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Abandon()
    {
        for (int i = 0; i < 100; i++) _ = Tensor.Ones([16]);
    }

    [Fact]
    public void Abandoned_tensors_outside_any_scope_are_freed_by_their_SafeHandle_finalizer()
    {
        long baseline = Baseline();
        Abandon();
        Torch.LiveTensorCount.Should().Be(baseline + 100);
        Baseline().Should().Be(baseline);
    }
}
