namespace DiffusionCore.Torch.Tests.Precision;

/// <summary>CPU feature detection against the kernel's own report, and how <see cref="ComputePrecision"/> resolves.</summary>
public class ComputePrecisionTests
{
    [SkippableFact]
    public void Cpu_features_agree_with_the_flags_the_kernel_reports_in_proc_cpuinfo()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo"), "Needs Linux's /proc/cpuinfo to compare against.");
        string? flagsLine = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        Skip.If(flagsLine is null, "/proc/cpuinfo has no x86 \"flags\" line (not an x86 CPU), so there is nothing to compare against.");
        var flags = flagsLine[(flagsLine.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        CpuFeatures f = Torch.CpuFeatures;
        f.HasFlag(CpuFeatures.Avx512BFloat16).Should().Be(flags.Contains("avx512_bf16"));
        f.HasFlag(CpuFeatures.AmxBFloat16).Should().Be(flags.Contains("amx_bf16"));
        f.HasFlag(CpuFeatures.Avx512F).Should().Be(flags.Contains("avx512f"));
        Torch.HasNativeBFloat16.Should().Be(flags.Contains("avx512_bf16") || (flags.Contains("amx_bf16") && f.HasFlag(CpuFeatures.AmxEnabledByOs)));
    }

    [Fact]
    public void Explicit_precisions_resolve_to_themselves_and_auto_follows_the_cpu_on_cpu_only()
    {
        ComputePrecision.Float32.Resolve(Device.Cpu).Should().Be(DType.Float32);
        ComputePrecision.BFloat16.Resolve(Device.Cpu).Should().Be(DType.BFloat16);
        ComputePrecision.BFloat16.Resolve(Device.Cuda(0)).Should().Be(DType.BFloat16);
        ComputePrecision.Auto.Resolve(Device.Cpu).Should().Be(Torch.HasNativeBFloat16 ? DType.BFloat16 : DType.Float32);
        ComputePrecision.Auto.Resolve(Device.Cuda(0)).Should().Be(DType.Float32);
        Action unknown = () => ((ComputePrecision)7).Resolve(Device.Cpu);
        unknown.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Entering_float32_switches_an_outer_bfloat16_scope_off_until_disposed()
    {
        using (new MatmulPrecisionScope())
        {
            using (ComputePrecision.Float32.Enter(Device.Cpu))
            {
                MatmulPrecisionScope.Current.Should().BeNull();
            }

            MatmulPrecisionScope.Current.Should().Be(DType.BFloat16);
            using (ComputePrecision.BFloat16.Enter(Device.Cpu))
            {
                MatmulPrecisionScope.Current.Should().Be(DType.BFloat16);
            }
        }

        MatmulPrecisionScope.Current.Should().BeNull();
    }

    [Theory]
    [InlineData("auto", ComputePrecision.Auto)]
    [InlineData("fp32", ComputePrecision.Float32)]
    [InlineData("Float32", ComputePrecision.Float32)]
    [InlineData("bf16", ComputePrecision.BFloat16)]
    [InlineData("BFLOAT16", ComputePrecision.BFloat16)]
    public void Command_line_spellings_parse(string text, ComputePrecision expected)
    {
        ComputePrecisionExtensions.TryParse(text, out ComputePrecision p).Should().BeTrue();
        p.Should().Be(expected);
    }

    [Theory]
    [InlineData("fp16")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("-1")]
    public void Other_spellings_do_not_parse(string? text)
    {
        ComputePrecisionExtensions.TryParse(text, out _).Should().BeFalse();
    }
}
