using DiffusionCore.Torch;
using DiffusionCore.Torch.Distributed;

namespace DiffusionCore.Distributed.Worker;

/// <summary>
/// All-reduce, broadcast and barrier on inputs that depend on the rank, with small integers and binary fractions so
/// every sum is exact; prints the results for the test to compare with its own expectations.
/// </summary>
internal static class CollectiveScenario
{
    public static void Run(DistributedEnvironment env, TimeSpan timeout)
    {
        // A 64-byte bucket cap splits the lists below into several buckets of each dtype.
        using var group = ProcessGroup.Create(env, new ProcessGroupOptions { Timeout = timeout, BucketBytes = 64 });
        using var scope = new TensorScope();
        int r = env.Rank;

        Tensor sum = Tensor.Arange(0, 6).To(DType.Float32).Reshape(2, 3) + 6 * r;
        group.AllReduce(sum);
        Report.Values("sum_f32", sum.ToArray<float>().Select(v => (double)v));

        Tensor average = Tensor.Arange(0, 4).To(DType.Float64) * (0.5 * (r + 1));
        group.AllReduce(average, ReduceOperation.Average);
        Report.Values("average_f64", average.ToArray<double>());

        Tensor max = Tensor.FromArray(new long[] { 0, 1, 2 }.Select(i => (r % 2 == 0 ? i : -i) + r).ToArray());
        Tensor min = max.Clone();
        group.AllReduce(max, ReduceOperation.Max);
        group.AllReduce(min, ReduceOperation.Min);
        Report.Values("max_i64", max.ToArray<long>().Select(v => (double)v));
        Report.Values("min_i64", min.ToArray<long>().Select(v => (double)v));

        // Several dtypes, more bytes than one bucket, a zero-size tensor and a non-contiguous view.
        Tensor big = Tensor.Full([40], r + 1.0);
        Tensor small = Tensor.Full([3], 0.25 * r, DType.Float64);
        Tensor empty = Tensor.Zeros([0]);
        Tensor counts = Tensor.Full([2], r + 2.0, DType.Int64);
        Tensor transposed = (Tensor.Arange(0, 12).To(DType.Float32).Reshape(3, 4) * (r + 1)).Transpose(0, 1);
        group.AllReduce([big, small, empty, counts, transposed]);
        Report.Values("list_big", big.ToArray<float>().Select(v => (double)v));
        Report.Values("list_small", small.ToArray<double>());
        Report.Values("list_counts", counts.ToArray<long>().Select(v => (double)v));
        Report.Values("list_transposed", transposed.Contiguous().ToArray<float>().Select(v => (double)v));

        Tensor fromOne = Tensor.Full([5], r + 7.0);
        Tensor fromOneToo = Tensor.Full([2, 2], 10.0 * r, DType.Float64);
        group.Broadcast([fromOne, fromOneToo], root: env.WorldSize - 1);
        Report.Values("broadcast_f32", fromOne.ToArray<float>().Select(v => (double)v));
        Report.Values("broadcast_f64", fromOneToo.ToArray<double>());

        group.Barrier();
        Report.Line("barrier", "ok");

        // Rank 0 passes three elements, the others four: every rank must fail with the mismatch, and the group must stay usable.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            group.AllReduce(Tensor.Ones([r == 0 ? 3 : 4]));
            Report.Line("mismatch", "no error");
        }
        catch (DistributedException e)
        {
            Report.Error("mismatch", e, clock.Elapsed);
        }

        Tensor after = Tensor.Full([1], 1.0);
        group.AllReduce(after);
        Report.Values("after_mismatch", after.ToArray<float>().Select(v => (double)v));
    }
}
