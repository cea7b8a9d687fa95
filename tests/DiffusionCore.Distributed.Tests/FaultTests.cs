using DiffusionCore.Distributed.Tests.Support;

namespace DiffusionCore.Distributed.Tests;

/// <summary>A peer that is killed, hangs or never starts gives the surviving rank a typed exception within the timeout, never a hang.</summary>
public sealed class FaultTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Killed_peer_fails_the_next_collective_with_DistributedException_well_within_the_timeout()
    {
        using var workers = new WorkerGroup(2, "peer-killed 30");
        workers.WaitFor(1, "ready", Wait);
        workers.WaitFor(0, "ready", Wait);
        workers.Kill(1);
        var error = Parse.Error(workers.WaitFor(0, "after_kill", Wait));
        error.Type.Should().Be("DistributedException", error.Message);
        error.ElapsedMs.Should().BeLessThan(30_000, "a closed connection is detected without waiting for the timeout");
        error.Message.Should().Contain("rank 0 of 2").And.Contain("cannot be used any more");

        // The failed group refuses further calls at once.
        var again = Parse.Error(workers.WaitFor(0, "again", Wait));
        again.Type.Should().Be("DistributedException");
        again.Message.Should().Contain("failed earlier");
        again.ElapsedMs.Should().BeLessThan(1_000);
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Hanging_peer_fails_the_collective_with_DistributedTimeoutException_after_the_timeout()
    {
        using var workers = new WorkerGroup(2, "peer-hangs 3");
        var error = Parse.Error(workers.WaitFor(0, "hang", Wait));
        error.Type.Should().Be("DistributedTimeoutException", error.Message);
        error.ElapsedMs.Should().BeInRange(2_500, 15_000);
        error.Message.Should().Contain("timeout of 3 s");
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Missing_peer_fails_the_rendezvous_with_DistributedTimeoutException()
    {
        using var workers = new WorkerGroup(2, "rendezvous 2", ranks: [0]);
        var error = Parse.Error(workers.WaitFor(0, "rendezvous", Wait));
        error.Type.Should().Be("DistributedTimeoutException", error.Message);
        error.ElapsedMs.Should().BeInRange(1_500, 15_000);
        error.Message.Should().Contain("TCP store at 127.0.0.1");
    }
}
