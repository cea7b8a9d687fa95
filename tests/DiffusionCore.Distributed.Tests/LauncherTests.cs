using System.Globalization;
using DiffusionCore.Distributed.Tests.Support;

namespace DiffusionCore.Distributed.Tests;

/// <summary>eng/launch.sh: launch variables, rank prefixes, fail-fast, and the worker's collectives under it.</summary>
public sealed class LauncherTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public void Sets_torchrun_variables_and_prefixes_every_line_with_the_rank()
    {
        string port = Launcher.FreePort().ToString(CultureInfo.InvariantCulture);
        var run = Launcher.Run(["-n", "2", "--master-port", port, "--threads", "1", "--", "bash", "-c", "echo $RANK $WORLD_SIZE $LOCAL_RANK $LOCAL_WORLD_SIZE $MASTER_ADDR $MASTER_PORT $OMP_NUM_THREADS; echo second"], Wait);
        run.ExitCode.Should().Be(0, run.Stderr);
        run.Stdout.Should().BeEquivalentTo(
            $"[rank 0] 0 2 0 2 127.0.0.1 {port} 1", "[rank 0] second",
            $"[rank 1] 1 2 1 2 127.0.0.1 {port} 1", "[rank 1] second");
    }

    [Fact]
    public void Second_machine_ranks_follow_the_node_rank()
    {
        var run = Launcher.Run(["-n", "2", "--nnodes", "2", "--node-rank", "1", "--master-addr", "10.1.2.3", "--master-port", "29555", "--", "bash", "-c", "echo $RANK $WORLD_SIZE $LOCAL_RANK $MASTER_ADDR"], Wait);
        run.ExitCode.Should().Be(0, run.Stderr);
        run.Stdout.Should().BeEquivalentTo("[rank 2] 2 4 0 10.1.2.3", "[rank 3] 3 4 1 10.1.2.3");
    }

    [Fact]
    public void A_failing_rank_stops_the_others_and_sets_the_exit_code()
    {
        var run = Launcher.Run(["-n", "3", "--grace", "2", "--", "bash", "-c", "if [ $RANK = 1 ]; then exit 3; fi; sleep 60; echo not stopped"], Wait);
        run.ExitCode.Should().Be(3);
        run.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
        run.Stderr.Should().Contain("rank 1 exited with code 3; stopping the other ranks");
        run.Stdout.Should().NotContain(l => l.Contains("not stopped", StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_options_are_named()
    {
        var run = Launcher.Run(["-n", "two", "--", "true"], Wait);
        run.ExitCode.Should().Be(2);
        run.Stderr.Should().Contain("-n must be a positive integer, got 'two'");
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Worker_collectives_run_under_the_launcher()
    {
        string port = Launcher.FreePort().ToString(CultureInfo.InvariantCulture);
        var run = Launcher.Run(["-n", "2", "--master-port", port, "--", "dotnet", WorkerGroup.WorkerPath, "collectives", "20"], Wait);
        run.ExitCode.Should().Be(0, run.Stderr);
        run.Stdout.Should().Contain("[rank 0] sum_f32=6,8,10,12,14,16").And.Contain("[rank 1] sum_f32=6,8,10,12,14,16");
    }
}
