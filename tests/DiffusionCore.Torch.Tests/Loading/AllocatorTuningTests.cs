using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch.Tests.Loading;

/// <summary>When DiffusionCore tunes glibc's malloc at load, and that it did in this (untuned) test process.</summary>
public class AllocatorTuningTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] vars) =>
        key => vars.FirstOrDefault(v => v.Key == key).Value;

    [Fact]
    public void Tunes_by_default()
    {
        AllocatorTuning.ShouldTune(Env()).Should().BeTrue();
        AllocatorTuning.ShouldTune(Env(("GLIBC_TUNABLES", "glibc.pthread.rseq=0"))).Should().BeTrue();
        AllocatorTuning.ShouldTune(Env((AllocatorTuning.OptOutVariable, "1"))).Should().BeTrue();
    }

    [Theory]
    [InlineData("DIFFUSIONCORE_MALLOC_TUNING", "0")]
    [InlineData("DIFFUSIONCORE_MALLOC_TUNING", " 0 ")]
    [InlineData("MALLOC_MMAP_THRESHOLD_", "131072")]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "0")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1000")]
    public void Leaves_malloc_alone_when_opted_out_or_tuned_by_the_process(string key, string value)
    {
        AllocatorTuning.ShouldTune(Env((key, value))).Should().BeFalse();
    }

    [Fact]
    public void Was_applied_in_this_process_on_glibc_linux()
    {
        bool untunedEnvironment = AllocatorTuning.ShouldTune(Environment.GetEnvironmentVariable);
        bool musl = Directory.Exists("/lib") && Directory.GetFiles("/lib", "ld-musl-*").Length > 0;
        bool glibc = OperatingSystem.IsLinux() && !musl;
        Torch.AllocatorTuned.Should().Be(untunedEnvironment && glibc);
    }
}
