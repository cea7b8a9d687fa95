using DiffusionCore.Distributed.Tests.Support;

namespace DiffusionCore.Distributed.Tests;

/// <summary>Two worker processes on loopback run all-reduce, broadcast and barrier on rank-dependent, exactly summable inputs.</summary>
public sealed class CollectiveTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Two_ranks_reduce_broadcast_and_detect_mismatched_shapes_exactly()
    {
        const int World = 2;
        using var workers = new WorkerGroup(World, "collectives 20");
        workers.WaitForSuccess(Wait);
        for (int rank = 0; rank < World; rank++)
        {
            string Get(string key) => workers.WaitFor(rank, key, Wait);

            // Σ_r (i + 6r) over r = 0, 1.
            Parse.Values(Get("sum_f32")).Should().Equal(6, 8, 10, 12, 14, 16);
            // mean of 0.5·i and 1.0·i.
            Parse.Values(Get("average_f64")).Should().Equal(0, 0.75, 1.5, 2.25);
            // rank 0: [0, 1, 2], rank 1: [1, 0, −1].
            Parse.Values(Get("max_i64")).Should().Equal(1, 1, 2);
            Parse.Values(Get("min_i64")).Should().Equal(0, 0, -1);
            Parse.Values(Get("list_big")).Should().HaveCount(40).And.OnlyContain(v => v == 3);
            Parse.Values(Get("list_small")).Should().Equal(0.25, 0.25, 0.25);
            Parse.Values(Get("list_counts")).Should().Equal(5, 5);
            // (arange(12)·1 + arange(12)·2) as [3, 4], read transposed.
            double[] transposed = Enumerable.Range(0, 4).SelectMany(j => Enumerable.Range(0, 3).Select(i => 3.0 * ((i * 4) + j))).ToArray();
            Parse.Values(Get("list_transposed")).Should().Equal(transposed);
            // Broadcast from the last rank (rank 1: 1 + 7 and 10·1).
            Parse.Values(Get("broadcast_f32")).Should().Equal(8, 8, 8, 8, 8);
            Parse.Values(Get("broadcast_f64")).Should().Equal(10, 10, 10, 10);
            Get("barrier").Should().Be("ok");

            var mismatch = Parse.Error(Get("mismatch"));
            mismatch.Type.Should().Be("DistributedMismatchException", $"rank {rank} must see the shape mismatch");
            mismatch.Message.Should().Contain("rank(s) 1").And.Contain($"rank {rank} of 2").And.Contain(rank == 0 ? "Float [3]" : "Float [4]");
            Parse.Values(Get("after_mismatch")).Should().Equal(2);
        }
    }
}
