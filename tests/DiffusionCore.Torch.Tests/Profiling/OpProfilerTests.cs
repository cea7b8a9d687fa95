using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Profiling;

/// <summary>
/// The operator-level profile counts exactly the operators run while it is on, with self time ≤ total time and nested
/// operators attributed to their own rows. Serial: the observer sees every thread of the process.
/// </summary>
[Collection(SerialTests.Name)]
public class OpProfilerTests
{
    [Fact]
    public void Counts_each_operator_call_while_running_and_none_after_stop()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.Ones([2, 3]);
        Tensor b = Tensor.Ones([2, 3]);
        OpProfileReport report;
        using (var profiler = OpProfiler.Start())
        {
            for (int i = 0; i < 3; i++) a.Add(b);
            a.Mul(b);
            report = profiler.Stop();
        }

        a.Add(b);
        Entry(report, "aten::add").Calls.Should().Be(3);
        Entry(report, "aten::mul").Calls.Should().Be(1);
        report.Entries.Should().OnlyContain(e => e.SelfTime >= TimeSpan.Zero && e.SelfTime <= e.TotalTime && e.Calls > 0);
        report.Entries.Should().OnlyContain(e => e.Inputs.Length == 0, "shapes were not recorded");
        report.TotalSelfTime.Should().BePositive();
        report.ToTable().Should().Contain("aten::add").And.Contain("self ms");
    }

    [Fact]
    public void Nested_operators_count_in_their_parents_total_and_their_own_self_time()
    {
        using var scope = new TensorScope();
        Tensor x = Tensor.Ones([64, 64]);
        OpProfileReport report;
        using (var profiler = OpProfiler.Start())
        {
            x.To(DType.Float64);
            report = profiler.Stop();
        }

        // aten::to → aten::_to_copy → aten::empty_strided + aten::copy_
        OpProfileEntry to = Entry(report, "aten::to");
        OpProfileEntry toCopy = Entry(report, "aten::_to_copy");
        OpProfileEntry copy = Entry(report, "aten::copy_");
        to.TotalTime.Should().BeGreaterThanOrEqualTo(toCopy.TotalTime);
        toCopy.TotalTime.Should().BeGreaterThanOrEqualTo(copy.TotalTime);
        (to.SelfTime + toCopy.SelfTime + copy.SelfTime).Should().BeLessThanOrEqualTo(to.TotalTime);
    }

    [Fact]
    public void Records_input_dtypes_shapes_and_channels_last_and_sums_them_by_name()
    {
        using var scope = new TensorScope();
        Tensor f = Tensor.Ones([2, 3]);
        Tensor h = Tensor.Ones([4], DType.BFloat16);
        Tensor cl = Tensor.Ones([2, 3, 4, 5]).Contiguous(MemoryFormat.ChannelsLast);
        OpProfileReport report;
        using (var profiler = OpProfiler.Start(recordShapes: true))
        {
            profiler.RecordShapes.Should().BeTrue();
            f.Add(f);
            h.Add(h);
            h.Add(h);
            cl.Silu();
            report = profiler.Stop();
        }

        report.Entries.Should().Contain(e => e.Name == "aten::add" && e.Inputs.StartsWith("f32[2,3], f32[2,3]", StringComparison.Ordinal) && e.Calls == 1);
        report.Entries.Should().Contain(e => e.Name == "aten::add" && e.Inputs.StartsWith("bf16[4], bf16[4]", StringComparison.Ordinal) && e.Calls == 2);
        report.Entries.Should().Contain(e => e.Name == "aten::silu" && e.Inputs == "f32[2,3,4,5]CL");
        OpProfileEntry add = report.ByName().Entries.Single(e => e.Name == "aten::add");
        add.Calls.Should().Be(3);
        add.Inputs.Should().BeEmpty();
    }

    [Fact]
    public void Counts_autograd_nodes_of_a_backward_pass()
    {
        using var scope = new TensorScope();
        Tensor w = Tensor.Ones([3, 3]).RequiresGradInPlace();
        Tensor x = Tensor.Ones([3, 3]);
        OpProfileReport report;
        using (var profiler = OpProfiler.Start())
        {
            w.Mul(x).Sum().Backward();
            report = profiler.Stop();
        }

        report.Entries.Should().Contain(e => e.Name.EndsWith("MulBackward0", StringComparison.Ordinal));
        report.Entries.Should().Contain(e => e.Name.EndsWith("SumBackward0", StringComparison.Ordinal));
    }

    [Fact]
    public void One_profile_at_a_time_and_each_stops_once()
    {
        OpProfiler first = OpProfiler.Start();
        FluentActions.Invoking(() => OpProfiler.Start()).Should().Throw<InvalidOperationException>().WithMessage("*already running*");
        first.Stop();
        FluentActions.Invoking(() => first.Stop()).Should().Throw<InvalidOperationException>().WithMessage("*already stopped*");
        first.Dispose();

        using (OpProfiler.Start())
        {
            // disposed without Stop: the next Start works
        }

        using OpProfiler third = OpProfiler.Start(recordShapes: false);
        third.RecordShapes.Should().BeFalse();
    }

    private static OpProfileEntry Entry(OpProfileReport report, string name) =>
        report.Entries.Should().ContainSingle(e => e.Name == name, $"one row for {name}").Subject;
}
