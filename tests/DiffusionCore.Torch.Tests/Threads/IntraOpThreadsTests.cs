using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Threads;

/// <summary>
/// The default intra-op thread count (issue 18, item 4): the cgroup CPU-limit parser on sample files laid out as
/// cgroup v1 and v2 mounts, and the count a fresh process gets.
/// </summary>
public sealed class IntraOpThreadsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dc-cgroup-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string relative, string text)
    {
        string path = Path.Combine(_dir.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private string Root => Path.Combine(_dir.FullName, "sys");

    [Theory]
    [InlineData("max 100000\n", null)]
    [InlineData("200000 100000\n", 2.0)]
    [InlineData("150000 100000", 1.5)]
    [InlineData("50000 100000", 0.5)]
    [InlineData("", null)]
    [InlineData("garbage", null)]
    public void Cgroup_v2_cpu_max_is_quota_over_period(string text, double? cores) =>
        CgroupCpuQuota.ParseCpuMax(text).Should().Be(cores);

    [Theory]
    [InlineData("-1", "100000", null)]
    [InlineData("300000", "100000", 3.0)]
    [InlineData("25000", "50000", 0.5)]
    [InlineData("100000", "0", null)]
    public void Cgroup_v1_cfs_quota_is_quota_over_period(string quota, string period, double? cores) =>
        CgroupCpuQuota.ParseCfs(quota + "\n", period + "\n").Should().Be(cores);

    [Theory]
    [InlineData(8, null, 8)]
    [InlineData(8, 2.0, 2)]
    [InlineData(8, 1.5, 2)]
    [InlineData(8, 0.25, 1)]
    [InlineData(2, 16.0, 2)]
    public void Available_cores_are_the_processor_count_lowered_to_the_limit_rounded_up(int processors, double? limit, int expected) =>
        CgroupCpuQuota.AvailableCores(processors, limit).Should().Be(expected);

    [Fact]
    public void Cgroup_v2_takes_the_smallest_limit_from_the_process_group_up_to_the_root()
    {
        string self = Write("proc/self/cgroup", "0::/user.slice/app.scope\n");
        Write("sys/cpu.max", "max 100000\n");
        Write("sys/user.slice/cpu.max", "300000 100000\n");
        Write("sys/user.slice/app.scope/cpu.max", "max 100000\n");
        CgroupCpuQuota.Read(Root, self).Should().Be(3.0, "the parent's limit caps its child");
        File.WriteAllText(Path.Combine(Root, "user.slice/app.scope/cpu.max"), "150000 100000\n");
        CgroupCpuQuota.Read(Root, self).Should().Be(1.5);
    }

    [Fact]
    public void In_a_container_the_mount_root_counts_when_the_group_path_is_not_visible()
    {
        string self = Write("proc/self/cgroup", "0::/kubepods/pod123/container\n");
        Write("sys/cpu.max", "200000 100000\n");
        CgroupCpuQuota.Read(Root, self).Should().Be(2.0);
    }

    [Fact]
    public void Cgroup_v1_reads_the_cpu_controller_mount()
    {
        string self = Write("proc/self/cgroup", "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n");
        Write("sys/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
        Write("sys/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
        Write("sys/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "50000\n");
        Write("sys/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
        CgroupCpuQuota.Read(Root, self).Should().Be(0.5);
    }

    [Fact]
    public void No_cgroup_files_is_no_limit()
    {
        CgroupCpuQuota.Read(Root, Path.Combine(_dir.FullName, "missing")).Should().BeNull();
        string self = Write("proc/self/cgroup", "0::/\n");
        CgroupCpuQuota.Read(Root, self).Should().BeNull();
    }

    [Fact]
    public void The_default_applies_only_without_libtorch_thread_variables()
    {
        IntraOpThreads.ShouldApplyDefault(_ => null).Should().BeTrue();
        IntraOpThreads.ShouldApplyDefault(v => v == "OMP_NUM_THREADS" ? "3" : null).Should().BeFalse();
        IntraOpThreads.ShouldApplyDefault(v => v == "MKL_NUM_THREADS" ? "1" : null).Should().BeFalse();
        IntraOpThreads.ShouldApplyDefault(_ => " ").Should().BeTrue();
    }

    private static void SkipIfThreadVariablesSet() =>
        Skip.If(IntraOpThreads.EnvironmentVariables.Any(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v))),
            "OMP_NUM_THREADS or MKL_NUM_THREADS is set for the test run, and a child process inherits it");

    [SkippableFact]
    public void A_fresh_process_uses_every_available_core()
    {
        SkipIfThreadVariablesSet();
        CrashProbeResult r = CrashProbeProcess.Run("threads");
        r.ExitCode.Should().Be(0, r.Error);
        r.Output.Should().Contain($"threads={IntraOpThreads.AvailableCores} source=Default cores={IntraOpThreads.AvailableCores}")
            .And.Contain("DiffusionCore's default");
    }

    [SkippableFact]
    public void The_processor_count_override_lowers_the_default()
    {
        SkipIfThreadVariablesSet();
        CrashProbeResult r = CrashProbeProcess.Run("threads", environment: new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = "1" });
        r.ExitCode.Should().Be(0, r.Error);
        r.Output.Should().Contain("threads=1 source=Default cores=1");
    }

    [Fact]
    public void OMP_NUM_THREADS_keeps_libtorchs_choice()
    {
        CrashProbeResult r = CrashProbeProcess.Run("threads", environment: new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "3" });
        r.ExitCode.Should().Be(0, r.Error);
        r.Output.Should().Contain("threads=3 source=Environment").And.Contain("from OMP_NUM_THREADS");
    }
}
