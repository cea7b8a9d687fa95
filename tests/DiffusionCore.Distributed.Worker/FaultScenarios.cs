using System.Diagnostics;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Distributed;

namespace DiffusionCore.Distributed.Worker;

/// <summary>Peers that die, hang or never come: the surviving rank must fail with a typed exception within the timeout.</summary>
internal static class FaultScenarios
{
    /// <summary>
    /// Both ranks all-reduce once and print "ready"; the last rank then sleeps until the test kills it, while rank 0 enters
    /// a second all-reduce and prints how it failed.
    /// </summary>
    public static void PeerKilled(DistributedEnvironment env, TimeSpan timeout)
    {
        using var group = ProcessGroup.Create(env, new ProcessGroupOptions { Timeout = timeout });
        using var scope = new TensorScope();
        group.AllReduce(Tensor.Ones([8]));
        Report.Line("ready", env.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (env.Rank == env.WorldSize - 1)
        {
            Thread.Sleep(Timeout.Infinite);
        }

        Thread.Sleep(500);  // let the test see "ready" and kill the peer while this rank waits in the collective below
        TryCollective(group, "after_kill");
        TryCollective(group, "again");
    }

    /// <summary>Rank 0 all-reduces; the last rank never calls: rank 0 must time out.</summary>
    public static void PeerHangs(DistributedEnvironment env, TimeSpan timeout)
    {
        using var group = ProcessGroup.Create(env, new ProcessGroupOptions { Timeout = timeout });
        Report.Line("ready", env.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (env.Rank == env.WorldSize - 1)
        {
            Thread.Sleep(Timeout.Infinite);
        }

        TryCollective(group, "hang");
    }

    /// <summary>Joins a group whose other ranks never start: the rendezvous must time out.</summary>
    public static void Rendezvous(DistributedEnvironment env, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var group = ProcessGroup.Create(env, new ProcessGroupOptions { Timeout = timeout });
            Report.Line("rendezvous", "no error");
        }
        catch (DistributedException e)
        {
            Report.Error("rendezvous", e, clock.Elapsed);
        }
    }

    private static void TryCollective(ProcessGroup group, string key)
    {
        using var scope = new TensorScope();
        var clock = Stopwatch.StartNew();
        try
        {
            group.AllReduce(Tensor.Ones([8]));
            Report.Line(key, "no error");
        }
        catch (DistributedException e)
        {
            Report.Error(key, e, clock.Elapsed);
        }
    }
}
