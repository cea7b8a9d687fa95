namespace DiffusionCore.Torch.Tests.Memory;

/// <summary>Parsing of /proc/meminfo and of cgroup v1 and v2 memory files, and the figure of this machine.</summary>
public class SystemMemoryTests
{
    private const string MemInfo = "MemTotal:       24576000 kB\nMemFree:         1000000 kB\nMemAvailable:   20000000 kB\nBuffers:           1 kB\n";

    private static Func<string, string?> Files(params (string Path, string Text)[] files) =>
        path => files.FirstOrDefault(f => f.Path == path).Text;

    [Fact]
    public void MemAvailable_is_read_in_bytes()
    {
        SystemMemory.ParseMemAvailable(MemInfo).Should().Be(20_000_000L * 1024);
        SystemMemory.ParseMemAvailable("MemTotal: 5 kB\n").Should().BeNull();
    }

    [Fact]
    public void Cgroup_v2_room_is_the_limit_less_the_unreclaimable_usage()
    {
        SystemMemory.CgroupRoom(Files(("memory.max", "max\n"), ("memory.current", "100\n"))).Should().BeNull();
        SystemMemory.CgroupRoom(Files(("memory.max", "8000\n"), ("memory.current", "5000\n"), ("memory.stat", "anon 3000\ninactive_file 1000\nactive_file 500\n")))
            .Should().Be(8000 - (5000 - 1000));
        SystemMemory.CgroupRoom(Files(("memory.max", "8000\n"), ("memory.current", "9000\n"))).Should().Be(0);
    }

    [Fact]
    public void Cgroup_v1_room_ignores_the_unlimited_value()
    {
        SystemMemory.CgroupRoom(Files(("memory/memory.limit_in_bytes", "9223372036854771712\n"), ("memory/memory.usage_in_bytes", "3912720384\n"))).Should().BeNull();
        SystemMemory.CgroupRoom(Files(
                ("memory/memory.limit_in_bytes", "10000\n"),
                ("memory/memory.usage_in_bytes", "6000\n"),
                ("memory/memory.stat", "cache 3000\ninactive_file 10\ntotal_inactive_file 2000\n")))
            .Should().Be(10000 - (6000 - 2000));
        SystemMemory.CgroupRoom(Files()).Should().BeNull();
    }

    [Fact]
    public void This_machine_reports_no_more_than_meminfo()
    {
        long available = SystemMemory.AvailableBytes();
        available.Should().BePositive();
        if (OperatingSystem.IsLinux())
        {
            long? meminfo = SystemMemory.ParseMemAvailable(File.ReadAllText("/proc/meminfo"));
            available.Should().BeLessThanOrEqualTo(meminfo!.Value + (512L << 20), "MemAvailable moves a little between the two reads");
        }
    }
}
